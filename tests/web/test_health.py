def test_health_checks_database(client, db):
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.json()["database"] == "ok"


def test_login_page_is_chinese(client, db):
    r = client.get("/login/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'lang="zh-hans"' in html
    assert "登录执法平台" in html
    assert "用户名" in html and "密码" in html


def test_home_requires_login(client, db):
    r = client.get("/")
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")
