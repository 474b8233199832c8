"""The policy parameters of the records app: the retention class (保管期限) of a case file (电子卷宗).

Declared as the case parameters are (``zhifa.cases.policies``): added to the catalog's register when the app is
ready, read with ``value_of`` (dated, per agency, inherited), edited on the policy screens.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from zhifa.catalog.policies import Parameter, value_of
from zhifa.catalog.policies import register as add

# 保管期限 of the general document-archive rule (国家档案局令第8号): permanent, or a fixed term of 30 or 10 years.
CLASSES = ("永久", "30年", "10年")

# What kind of case a file is, most serious first: a case is of the first kind it fits (``dossier.case_kind``).
KINDS = {
    "revoke": "吊销许可证件",
    "suspend": "责令停产停业、责令关闭、限制开展生产经营活动、限制从业、暂扣许可证件、降低资质等级",
    "large_fine": "较大数额罚款、没收较大数额违法所得或较大价值非法财物（达到听证标准或经过听证）",
    "transferred": "涉嫌犯罪移送司法机关",
    "penalty": "其他行政处罚（普通程序）",
    "summary": "简易程序（当场处罚）",
    "no_penalty": "不予行政处罚（含违法事实不能成立）",
    "not_filed": "不予立案",
    "other": "其他（撤销立案、移送管辖、尚未办结等）",
}

RETENTION_DEFAULT = {"revoke": "永久", "suspend": "永久", "large_fine": "永久", "transferred": "永久",
                     "penalty": "30年", "summary": "10年", "no_penalty": "10年", "not_filed": "10年", "other": "30年"}

RETENTION_BASIS = ("《中华人民共和国行政处罚法》第四十七条（归档）；国家档案局令第8号（永久、定期30年、定期10年）；"
                   "《文化市场行政处罚案件档案管理办法（试行）》（文市发〔2012〕26号）；行政执法案卷管理实务"
                   "（[U] 未核实：各类案卷的具体期限未见法律规定，默认值由本机关设定）")


def _retention(value: Any) -> dict:
    """A mapping of case kind (``KINDS``) to class (永久/30年/10年); kinds left out keep their default."""
    from zhifa.law.errors import RuleViolation

    if not isinstance(value, dict):
        raise RuleViolation("policy_shape", "取值应为案件类别到保管期限的对应，例如 {\"penalty\": \"30年\"}", "value")
    unknown = [k for k in value if k not in KINDS]
    if unknown:
        names = "、".join(f"{k}（{label}）" for k, label in KINDS.items())
        raise RuleViolation("policy_kind_unknown", f"无法识别的案件类别：{'、'.join(map(str, unknown))}。可用：{names}",
                            "value")
    wrong = [k for k, v in value.items() if v not in CLASSES]
    if wrong:
        raise RuleViolation("policy_range", f"保管期限只能是 {'、'.join(CLASSES)}（{'、'.join(wrong)} 的取值无效）",
                            "value")
    return {k: value.get(k, RETENTION_DEFAULT[k]) for k in KINDS}


RECORD_PARAMETERS: tuple[Parameter, ...] = (
    Parameter("dossier.retention", "电子卷宗保管期限", RETENTION_DEFAULT, "保管期限", RETENTION_BASIS,
              "[U] 未核实：导出电子卷宗时按案件类别确定的保管期限，写在卷宗封面和清单中。默认参照行政执法案卷和档案管理"
              "的常见做法，不是法律规定：吊销许可证件、责令停产停业（关闭）、较大数额罚款、涉嫌犯罪移送的为永久，"
              "其他普通程序处罚案件 30 年，简易程序、不予处罚、不予立案的 10 年，其他（撤销立案、移送管辖、未办结）"
              "30 年。类别代码：" + "；".join(f"{k} {label}" for k, label in KINDS.items()) + "。",
              _retention),
)


def register() -> None:
    """Add the records parameters to the catalog's register (idempotent)."""
    add(*RECORD_PARAMETERS)


def policy(key: str, agency, on: date) -> Any:
    register()
    return value_of(key, agency, on)
