from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from zhifa.org.views import auth
from zhifa.web import views as web

admin.site.site_header = "执法平台 · 平台管理"
admin.site.site_title = "执法平台"

urlpatterns = [
    path("", web.home, name="home"),
    path("health", web.health, name="health"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("otp/verify/", auth.otp_verify, name="otp_verify"),
    path("otp/setup/", auth.otp_setup, name="otp_setup"),
    path("account/password/", auth.password_change, name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("org/", include("zhifa.org.urls")),
    path("parties/", include("zhifa.parties.urls")),
    path("catalog/", include("zhifa.catalog.urls")),
    path("cases/", include("zhifa.cases.urls")),
    path("records/", include("zhifa.records.urls")),
    path("documents/", include("zhifa.documents.urls")),
    path("gs/", include("zhifa.publicity.urls")),
    path("publicity/", include("zhifa.publicity.staff_urls")),
    path("api/v1/", include("zhifa.api.urls")),
    path("platform-admin/", admin.site.urls),
]

handler400 = "zhifa.web.views.bad_request"
handler403 = "zhifa.web.views.forbidden"
handler404 = "zhifa.web.views.not_found"
handler500 = "zhifa.web.views.server_error"
