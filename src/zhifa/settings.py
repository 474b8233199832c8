"""zhifa settings: one module, configured by environment variables.

Every variable is documented in README.md ("配置 / Configuration"). Defaults are safe for a
single county machine: SQLite under var/, debug off, only localhost allowed.
"""

import hashlib
import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("ZHIFA_HOME", Path.cwd()))
VAR_DIR = Path(os.environ.get("ZHIFA_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


DEBUG = env_bool("ZHIFA_DEBUG", False)


def _secret_key() -> str:
    """The key comes from the environment; failing that, from a file made once under var/."""
    key = os.environ.get("ZHIFA_SECRET_KEY", "").strip()
    if key:
        return key
    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        import secrets

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ZHIFA_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
                 if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("ZHIFA_CSRF_TRUSTED_ORIGINS", "").split(",")
                        if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks_db",
    "zhifa.web",
    "zhifa.records",
    "zhifa.catalog",
    "zhifa.org",
    "zhifa.parties",
    "zhifa.cases",
    "zhifa.documents",
    "zhifa.publicity",
    "zhifa.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the idle logout, which leaves a message for the login page.
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "zhifa.org.middleware.IdleTimeoutMiddleware",
    "zhifa.org.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zhifa.web.middleware.SecurityHeadersMiddleware",
    # Last, so it sees failed logins after everything else ran.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhifa.urls"
WSGI_APPLICATION = "zhifa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhifa.web.context.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default (WAL, synchronous=FULL, IMMEDIATE transactions); DATABASE_URL switches to
# PostgreSQL (postgres://user:pass@host:port/name) with no other change.
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    # Parameters sent apart from the SQL text, so psycopg prepares a statement the connection has run five times
    # and PostgreSQL stops planning it again: a case page's reads (zhifa.prepared) are the same text every
    # time, and planning each cost more than running it (bench/README.md). ZHIFA_PG_PREPARED=0 turns it off
    # (a connection pooler in transaction mode, such as PgBouncer before 1.21, cannot keep prepared statements).
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("ZHIFA_PG_PREPARED", True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("ZHIFA_SQLITE_PATH", str(VAR_DIR / "zhifa.sqlite3")),
            # Kept open between requests, as PostgreSQL's: opening the file, the pragmas and reading the schema
            # cost about 2.5 ms a request (bench/README.md).
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=FULL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("ZHIFA_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Authentication and security (standards.md §1, G1–G5) -------------------------------------
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "zhifa.org.backends.UserBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# 等保 mode: passwords must also mix at least 3 of 4 character classes.
ZHIFA_DENGBAO_MODE = env_bool("ZHIFA_DENGBAO_MODE", False)
# zhifa tick runs the integrity check of the record and the files when the last one is this many days old (weekly)
ZHIFA_VERIFY_INTERVAL_DAYS = env_int("ZHIFA_VERIFY_INTERVAL_DAYS", 7)
# The hash of new events and file digests: SM3 (GB/T 32905-2016, the default) or SHA-256. Each event and file keeps
# the algorithm it was written with, so changing this later leaves the old ones verifiable.
ZHIFA_HASH_ALGORITHM = os.environ.get("ZHIFA_HASH_ALGORITHM", "sm3").strip().lower()
if ZHIFA_HASH_ALGORITHM not in ("sm3", "sha256"):
    raise ImproperlyConfigured(f"ZHIFA_HASH_ALGORITHM 只能是 sm3 或 sha256（现为 {ZHIFA_HASH_ALGORITHM!r}）")
if ZHIFA_HASH_ALGORITHM not in hashlib.algorithms_available:
    raise ImproperlyConfigured("本机 Python 的 OpenSSL 不提供 SM3：请换用带 SM3 的 OpenSSL（1.1.1 及以上），"
                               "或设置 ZHIFA_HASH_ALGORITHM=sha256")
# Documents (docs/documents.md): the PDF of an issued document is made when it is issued (through the warm
# LibreOffice at ZHIFA_UNOSERVER, else a one-shot soffice); off: made when first asked for. Without LibreOffice the
# .docx is issued and PDF is reported unavailable.
ZHIFA_PDF_AT_ISSUE = env_bool("ZHIFA_PDF_AT_ISSUE", True)
ZHIFA_UNOSERVER = os.environ.get("ZHIFA_UNOSERVER", "127.0.0.1:2003")
ZHIFA_PASSWORD_MIN_LENGTH = env_int("ZHIFA_PASSWORD_MIN_LENGTH", 12)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "full_name", "email")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": ZHIFA_PASSWORD_MIN_LENGTH}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zhifa.org.passwords.BlocklistValidator"},
    {"NAME": "zhifa.org.passwords.CharacterClassValidator"},
]

# Lockout: 5 failures lock the account for 10 minutes (standards.md §1(c)).
AXES_FAILURE_LIMIT = env_int("ZHIFA_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ZHIFA_LOCKOUT_MINUTES", 10))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "zhifa.org.views.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "zhifa.org.axes.attempt_username"
AXES_VERBOSE = False
# Lock the account, not the address: a bureau's officers share one office IP, and locking it would lock
# everyone out after one person's mistakes.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_ENABLE_ADMIN = True

# Idle logout: 15 minutes for administrators, 30 for everyone else.
ZHIFA_IDLE_MINUTES_ADMIN = env_int("ZHIFA_IDLE_MINUTES_ADMIN", 15)
ZHIFA_IDLE_MINUTES = env_int("ZHIFA_IDLE_MINUTES", 30)
SESSION_ENGINE = "zhifa.org.sessions"  # Django's database sessions, read by a compiled query
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind an HTTPS gateway set ZHIFA_HTTPS=1.
if env_bool("ZHIFA_HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000

OTP_TOTP_ISSUER = os.environ.get("ZHIFA_OTP_ISSUER", "zhifa")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Language and time -----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Files -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("ZHIFA_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("ZHIFA_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"


def _evidence_storage() -> dict:
    """Evidence files (zhifa.cases.files), stored by content digest: local files under ZHIFA_EVIDENCE_DIR by default;
    any Django storage by configuration alone — ZHIFA_EVIDENCE_STORAGE=<backend dotted path> with its options as JSON
    in ZHIFA_EVIDENCE_OPTIONS, e.g. django-storages' "storages.backends.s3.S3Storage" for an S3-compatible object
    store (MinIO, 阿里云 OSS …; django-storages is not a dependency: install it where it is used)."""
    backend = os.environ.get("ZHIFA_EVIDENCE_STORAGE", "").strip()
    if backend:
        options = json.loads(os.environ.get("ZHIFA_EVIDENCE_OPTIONS", "").strip() or "{}")
        if not isinstance(options, dict):
            raise ValueError("ZHIFA_EVIDENCE_OPTIONS must be a JSON object")
        return {"BACKEND": backend, "OPTIONS": options}
    location = Path(os.environ.get("ZHIFA_EVIDENCE_DIR", VAR_DIR / "evidence"))
    return {"BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "file_permissions_mode": 0o640,
                        "directory_permissions_mode": 0o750}}


# PostgreSQL: each app server keeps a local FTS5 copy of the portal's search index here (zhifa.publicity.replica;
# one file per database, kept up to date by the searches themselves or `zhifa search_index`).
# ZHIFA_SEARCH_REPLICA=0 searches PostgreSQL's GIN index instead (the same results, slower at scale).
ZHIFA_SEARCH_REPLICA = env_bool("ZHIFA_SEARCH_REPLICA", True)
ZHIFA_SEARCH_REPLICA_DIR = Path(os.environ.get("ZHIFA_SEARCH_REPLICA_DIR", VAR_DIR / "search"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    "evidence": _evidence_storage(),
}
# Uploads stream to a temporary file here (never into memory): on the same file system as the evidence directory a
# stored upload is a rename, not a copy of a 4 GB video. Not /tmp, which is often a RAM disk (tmpfs).
FILE_UPLOAD_TEMP_DIR = Path(os.environ.get("ZHIFA_UPLOAD_TEMP_DIR", VAR_DIR / "uploads"))
FILE_UPLOAD_TEMP_DIR.mkdir(parents=True, exist_ok=True)
# Size caps of evidence files by kind, in MB (zhifa.cases.files; the real type is read from the content).
ZHIFA_UPLOAD_MAX_MB = {kind: env_int(f"ZHIFA_UPLOAD_MAX_MB_{kind.upper()}", default)
                       for kind, default in (("image", 50), ("audio", 500), ("video", 4096), ("document", 100))}
# ZIP-based documents (docx, xlsx, pptx, OFD), read from their directory without extracting: a declared total, a
# compression ratio or a member count above these, or an archive inside, is refused as a suspected zip bomb.
ZHIFA_UPLOAD_ZIP_MAX_MB = env_int("ZHIFA_UPLOAD_ZIP_MAX_MB", 200)
ZHIFA_UPLOAD_ZIP_MAX_RATIO = env_int("ZHIFA_UPLOAD_ZIP_MAX_RATIO", 100)
ZHIFA_UPLOAD_ZIP_MAX_MEMBERS = env_int("ZHIFA_UPLOAD_ZIP_MAX_MEMBERS", 10000)
# The Ed25519 private key that signs exported case files (电子卷宗, `zhifa dossier`): a file outside the database,
# created by `zhifa dossier keygen` (docs/admin-guide.md "电子卷宗签名密钥").
ZHIFA_DOSSIER_KEY = Path(os.environ.get("ZHIFA_DOSSIER_KEY", VAR_DIR / "keys" / "dossier-ed25519.pem"))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ZHIFA_LOG_LEVEL", "WARNING")},
}
