"""Citations used by more than one rule, so every rule names its source the same way."""

from .errors import Citation

XZCFF = "《中华人民共和国行政处罚法》"

ART_42 = Citation(XZCFF, "第四十二条", "由具有行政执法资格的执法人员实施，不得少于两人")
ART_52 = Citation(XZCFF, "第五十二条", "当场处罚应当向当事人出示执法证件")
ART_55 = Citation(XZCFF, "第五十五条", "调查或者检查时应当主动出示执法证件")
ART_58 = Citation(XZCFF, "第五十八条", "初次从事行政处罚决定法制审核的人员应当取得法律职业资格")
OUTLINE_15 = Citation("《法治政府建设实施纲要（2021—2025年）》", "（十五）",
                      "全面实行行政执法人员持证上岗和资格管理制度")
CERT_RULES = Citation("省级行政执法证件管理办法", "", "持有效执法证件从事执法活动；证件定期审验")
TRAINING_RULES = Citation("《提升行政执法质量三年行动计划（2023—2025年）》", "",
                          "执法人员每年接受业务和法律培训，学时由本机关政策参数设定")
GB_11643 = Citation("GB 11643-1999《公民身份号码》")
GB_32100 = Citation("GB 32100-2015《法人和其他组织统一社会信用代码编码规则》")
