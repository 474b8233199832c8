from .auth import lockout_response  # noqa: F401  (AXES_LOCKOUT_CALLABLE)
