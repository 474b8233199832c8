"""What the browser tests do as a person would: sign in (with the second factor), follow the
navigation, find a form field by its label.

The heads and the three administrators enrol an authenticator at their first sign-in: the test
reads the key shown on the page (#otp-secret) and computes the code the app would show.
"""

from __future__ import annotations

import base64
import re

from django_otp.oath import totp

from tests.conftest import PASSWORD


def sign_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    """Fill the login form and submit it (the caller waits for where it should land)."""
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def sign_in_home(page, base: str, username: str) -> None:
    """A person without a second factor signs in and lands on the home page."""
    sign_in(page, base, username)
    page.wait_for_url(f"{base}/")


def sign_in_with_second_factor(page, base: str, username: str, password: str = PASSWORD) -> None:
    """An administrator or head signs in, enrols the authenticator and lands on the home page."""
    sign_in(page, base, username, password)
    page.wait_for_url(re.compile(r".*/otp/setup/.*"))
    secret = page.locator("#otp-secret").inner_text().strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("动态验证码").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="确认启用").click()
    page.wait_for_url(f"{base}/")


def nav(page, name: str) -> None:
    """Follow a link of the main navigation."""
    page.get_by_role("navigation", name="主导航").get_by_role("link", name=name, exact=True).click()


def labelled(page_or_locator, label: str):
    """The control labelled exactly `label`, whether or not the label carries the required-mark "*".

    (Playwright matches a <label>'s whole text, the aria-hidden "*" included, so an exact
    `get_by_label("证号")` would miss a required field.)
    """
    text = re.escape(label).replace("/", r"\/")  # Playwright sends the pattern as /source/
    return page_or_locator.get_by_label(re.compile(rf"^\s*{text}\s*\*?\s*$"))


def field_row(page, label: str):
    """The form row (label, control, help text, error messages) of the control labelled `label`."""
    return page.locator(".field", has=labelled(page, label))
