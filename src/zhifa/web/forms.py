"""Form fields shared by the apps."""

from django import forms

# The range of a 64-bit signed primary key. A choice outside it cannot exist, and passing it to the
# database would be an error there (an overflow on SQLite, "out of range" on PostgreSQL).
_PK_MAX = 2**63 - 1


def _pk_in_range(value) -> bool:
    try:
        return 0 < int(str(value)) <= _PK_MAX
    except (TypeError, ValueError):
        return True  # not a number: the field's own check refuses it with its message


class ModelChoiceField(forms.ModelChoiceField):
    """A model choice whose impossible ids are refused as invalid choices, not sent to the database."""

    def to_python(self, value):
        if value not in self.empty_values and not _pk_in_range(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for v in value:
            if not _pk_in_range(v):
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                            params={"value": v})
        return super()._check_values(value)
