"""`zhifa catalog_lint`, `catalog_export` and `catalog_import`: output, files and exit codes."""

import io
import json

import pytest
from django.core.management import call_command

from zhifa.catalog.models import EnforcementItem, ItemChange, LegalSource, Provision

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_lint_on_the_seed_exits_0_with_a_chinese_table(domains):
    code, out, _ = _run("catalog_lint")
    assert code == 0
    assert "[提示] WH-ART-001  amounts_unverified" in out and "错误 0 条" in out


def test_lint_json(domains):
    code, out, _ = _run("catalog_lint", "--json")
    findings = json.loads(out)
    assert code == 0 and findings
    assert set(findings[0]) == {"code", "severity", "item_code", "message", "basis"}


def test_lint_exits_1_on_an_error(domains):
    """《行政处罚法》第十六条: a penalty basis in a 规范性文件 is an error."""
    src = LegalSource.objects.create(name="某县网吧管理办法（规范性文件）", level="normative")
    item = EnforcementItem.objects.get(code="WH-NET-003")
    item.penalty_provisions.set([Provision.objects.create(source=src, article="第三条")])
    code, out, _ = _run("catalog_lint", "--json")
    assert code == 1
    assert any(f["code"] == "penalty_basis_normative" and f["severity"] == "error" for f in json.loads(out))


def test_export_json_to_stdout_and_file(domains, tmp_path):
    code, out, _ = _run("catalog_export")
    data = json.loads(out)
    assert code == 0 and data["format"] == "zhifa.catalog" and len(data["items"]) == 61
    path = tmp_path / "c.json"
    code, out, _ = _run("catalog_export", "--format", "json", "--out", str(path))
    assert code == 0 and str(path) in out and json.loads(path.read_text(encoding="utf-8"))["items"]


def test_export_xlsx_needs_out(domains, tmp_path):
    code, _, err = _run("catalog_export", "--format", "xlsx")
    assert code == 2 and "--out" in err
    path = tmp_path / "c.xlsx"
    assert _run("catalog_export", "--format", "xlsx", "--out", str(path))[0] == 0 and path.stat().st_size > 0


@pytest.fixture
def reviewer(agency, make_user):
    return make_user(agency, roles=("reviewer",), username="fazhi")


def test_import_requires_a_user(domains, tmp_path):
    path = tmp_path / "c.json"
    _run("catalog_export", "--out", str(path))
    code, _, err = _run("catalog_import", str(path))
    assert code == 2 and "--user" in err
    code, _, err = _run("catalog_import", str(path), "--user", "nobody")
    assert code == 2 and "nobody" in err


def test_import_bad_file_exits_2_and_saves_nothing(reviewer, tmp_path):
    path = tmp_path / "c.json"
    path.write_text('{"items": [{"code": "WH-NET-003", "name": "x", "domain": "NET", "kinds": "警告"}]}',
                    encoding="utf-8")
    code, _, err = _run("catalog_import", str(path), "--user", "fazhi")
    assert code == 2
    assert "导入失败，未保存任何内容" in err and "“items”（执法事项）第 1 条的 kinds（处罚种类）" in err
    assert not ItemChange.objects.exists()


def test_import_proposes_changes(reviewer, tmp_path):
    code, out, _ = _run("catalog_export")
    data = json.loads(out)
    data["items"][0]["notes"] += "（省清单补充说明）"
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, _ = _run("catalog_import", str(path), "--user", "fazhi", "--dry-run")
    assert code == 0 and "试运行" in out and not ItemChange.objects.exists()
    code, out, _ = _run("catalog_import", str(path), "--user", "fazhi")
    assert code == 0 and "调整 1 项" in out and f"{data['items'][0]['code']}（调整）" in out
    assert ItemChange.objects.get().proposed_by == reviewer
