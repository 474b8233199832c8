import pytest


@pytest.fixture(autouse=True)
def _pdf_on_demand(settings):
    """Issuing makes no PDF in these tests unless a test asks for it (LibreOffice takes a second or more cold);
    the PDF tests turn it on."""
    settings.ZHIFA_PDF_AT_ISSUE = False
