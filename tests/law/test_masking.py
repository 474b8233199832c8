"""Masking personal data before publication (zhifa.law.masking; issue 7 §2). Rows cite the rule: 《工商行政处罚结果
信息网上公开暂行办法》 as quoted in standards.md §4(a) — hide a natural person's home address, contact details, identity
number and bank account, and the names of natural persons other than the party; the party's given name is hidden
(张某某, a practice the portal's policy may change)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from zhifa.law.masking import (
    mask_account,
    mask_address,
    mask_id,
    mask_name,
    mask_phone,
    scan,
    scrub,
)

NAMES = [
    ("自然人当事人：隐去名，保留姓", "张三丰", "mou", "张某某"),
    ("两字姓名", "李明", "mou", "李某"),
    ("复姓保留两字", "欧阳娜娜", "mou", "欧阳某某"),
    ("复姓两字名", "司马光", "mou", "司马某"),
    ("星号样式", "张三丰", "stars", "张**"),
    ("只留姓氏", "张三丰", "surname", "张某"),
    ("单字（少见）", "李", "mou", "李某"),
]


@pytest.mark.parametrize(("rule", "name", "style", "expected"), NAMES, ids=[r[0] for r in NAMES])
def test_names(rule: str, name: str, style: str, expected: str) -> None:
    assert mask_name(name, style) == expected


VALUES = [
    ("身份证号码：只留签发地区码（前 6 位）", mask_id, "411727199001011234", "411727************"),
    ("手机号码：留前 3 后 4 位", mask_phone, "13800001234", "138****1234"),
    ("固定电话：只留区号", mask_phone, "0396-5012345", "0396-*******"),
    ("银行账号：只留后 4 位", mask_account, "6222 0212 3456 7890 123", "***************0123"),
    ("住址：到县", mask_address, "河南省驻马店市平舆县建设路12号", "河南省驻马店市平舆县***"),
    ("住址：到乡镇", mask_address, "平舆县东和店镇王庄村3组", "平舆县东和店镇***"),
    ("住址：到街道", mask_address, "驻马店市驿城区雪松街道天中山大道88号2单元301室", "驻马店市驿城区雪松街道***"),
]


@pytest.mark.parametrize(("rule", "fn", "value", "expected"), VALUES, ids=[r[0] for r in VALUES])
def test_values(rule: str, fn, value: str, expected: str) -> None:
    assert fn(value) == expected


TEXT = ("当事人李明（身份证号码411727199001011234，联系电话13800001234）住平舆县建设路12号，现场检查时证人王小红在场。"
        "罚款可汇入账户6222021234567890128。当事人单位统一社会信用代码92411727MA9XXXXX1K，住所平舆县清河大道1号。")


def test_scrub_hides_everything_the_rule_lists_and_keeps_public_registration_data() -> None:
    out = scrub(TEXT, names=["李明", "王小红"], addresses=["平舆县建设路12号"])
    assert scan(out, names=["李明", "王小红"], addresses=["平舆县建设路12号"]) == []
    assert "李某" in out and "王某某" in out and "138****1234" in out and "411727************" in out
    # an organisation's credit code and registered address are public registration data
    assert "92411727MA9XXXXX1K" in out and "平舆县清河大道1号" in out


def test_scan_names_each_leak() -> None:
    kinds = [leak.kind for leak in scan(TEXT, names=["李明", "王小红"], addresses=["平舆县建设路12号"])]
    assert kinds == ["name", "id", "mobile", "address", "name", "account"]


def test_an_id_with_a_wrong_check_digit_is_still_an_id() -> None:
    """A mistyped identity number is still someone's: hidden whatever its check digit."""
    assert scan("身份证号码 411727199001011235")[0].kind == "id"
    assert "411727199001011235" not in scrub("身份证号码 411727199001011235")


@st.composite
def resident_ids(draw) -> str:
    body = draw(st.sampled_from(["411727", "110101", "440305"])) + draw(
        st.dates().filter(lambda d: 1900 <= d.year <= 2020)).strftime("%Y%m%d") + f"{draw(st.integers(0, 999)):03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum takes the number with a check digit in place


@given(resident_ids(), st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
       st.text(alphabet="，。；执法检查当事人经营场所", max_size=20))
def test_nothing_found_survives_scrubbing(id_number: str, phone: str, filler: str) -> None:
    text = f"{filler}身份证{id_number}{filler}电话{phone}{filler}"
    leaked = scan(text)
    assert {leak.kind for leak in leaked} >= {"id", "mobile"}
    assert scan(scrub(text)) == []
