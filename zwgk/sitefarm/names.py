"""Word lists the farm builds realistic Chinese government sites from.

Kept apart from the generator so the spellings (column-name variants, footer
forms, 文号 patterns) can be read and extended in one place.  Spellings follow
the real pages in ``shared/data/real-pages`` and the field survey.
"""

from __future__ import annotations

# (name, pinyin slug, ICP/公安 abbreviation, 2-digit region code)
PROVINCES: tuple[tuple[str, str, str, str], ...] = (
    ("江西省", "jiangxi", "赣", "36"),
    ("湖南省", "hunan", "湘", "43"),
    ("湖北省", "hubei", "鄂", "42"),
    ("安徽省", "anhui", "皖", "34"),
    ("浙江省", "zhejiang", "浙", "33"),
    ("福建省", "fujian", "闽", "35"),
    ("四川省", "sichuan", "川", "51"),
    ("河南省", "henan", "豫", "41"),
)

# Fake place names: first syllable × second syllable, with their pinyin.
PLACE_FIRST: tuple[tuple[str, str], ...] = (
    ("青", "qing"),
    ("云", "yun"),
    ("松", "song"),
    ("桃", "tao"),
    ("石", "shi"),
    ("龙", "long"),
    ("凤", "feng"),
    ("金", "jin"),
    ("白", "bai"),
    ("安", "an"),
    ("平", "ping"),
    ("永", "yong"),
    ("新", "xin"),
    ("长", "chang"),
    ("宁", "ning"),
    ("明", "ming"),
    ("华", "hua"),
    ("东", "dong"),
    ("南", "nan"),
    ("西", "xi"),
    ("北", "bei"),
    ("嘉", "jia"),
    ("泰", "tai"),
    ("兴", "xing"),
)
PLACE_SECOND: tuple[tuple[str, str], ...] = (
    ("山", "shan"),
    ("溪", "xi"),
    ("川", "chuan"),
    ("江", "jiang"),
    ("河", "he"),
    ("源", "yuan"),
    ("阳", "yang"),
    ("泉", "quan"),
    ("林", "lin"),
    ("城", "cheng"),
    ("湖", "hu"),
    ("岭", "ling"),
    ("德", "de"),
    ("丰", "feng"),
    ("宁", "ning"),
    ("乐", "le"),
)

# Department: (county/city name, province name, subdomain, has external services)
DEPARTMENTS: tuple[tuple[str, str, str, bool], ...] = (
    ("发展和改革局", "发展和改革委员会", "fgw", True),
    ("教育局", "教育厅", "jyj", True),
    ("财政局", "财政厅", "czj", True),
    ("民政局", "民政厅", "mzj", True),
    ("人力资源和社会保障局", "人力资源和社会保障厅", "rsj", True),
    ("自然资源局", "自然资源厅", "zrzyj", True),
    ("生态环境局", "生态环境厅", "sthjj", True),
    ("住房和城乡建设局", "住房和城乡建设厅", "zjj", True),
    ("交通运输局", "交通运输厅", "jtysj", True),
    ("农业农村局", "农业农村厅", "nyncj", True),
    ("卫生健康委员会", "卫生健康委员会", "wjw", True),
    ("市场监督管理局", "市场监督管理局", "scjgj", True),
    ("统计局", "统计局", "tjj", False),
    ("审计局", "审计厅", "sjj", False),
    ("司法局", "司法厅", "sfj", True),
    ("水利局", "水利厅", "slj", True),
)
# 文号 middle part per department subdomain (e.g. 青发改〔2024〕3号)
DEPT_DOC_WORD = {
    "fgw": "发改",
    "jyj": "教字",
    "czj": "财字",
    "mzj": "民字",
    "rsj": "人社字",
    "zrzyj": "自然资发",
    "sthjj": "环字",
    "zjj": "建字",
    "jtysj": "交运字",
    "nyncj": "农字",
    "wjw": "卫健字",
    "scjgj": "市监字",
    "tjj": "统字",
    "sjj": "审字",
    "sfj": "司字",
    "slj": "水字",
}

# 网站标识码 prefix → ICP abbreviation (for registry-based farms)
REGION_ABBR = {
    "11": "京",
    "12": "津",
    "13": "冀",
    "14": "晋",
    "15": "蒙",
    "21": "辽",
    "22": "吉",
    "23": "黑",
    "31": "沪",
    "32": "苏",
    "33": "浙",
    "34": "皖",
    "35": "闽",
    "36": "赣",
    "37": "鲁",
    "41": "豫",
    "42": "鄂",
    "43": "湘",
    "44": "粤",
    "45": "桂",
    "46": "琼",
    "50": "渝",
    "51": "川",
    "52": "贵",
    "53": "云",
    "54": "藏",
    "61": "陕",
    "62": "甘",
    "63": "青",
    "64": "宁",
    "65": "新",
}

TOPICS: tuple[str, ...] = (
    "安全生产",
    "农村人居环境整治",
    "优化营商环境",
    "防汛抗旱",
    "森林防火",
    "义务教育",
    "医疗保障",
    "乡村振兴",
    "城乡低保",
    "食品安全",
    "生态环境保护",
    "招商引资",
    "就业创业",
    "城市管理",
    "消防安全",
    "耕地保护",
    "老旧小区改造",
    "河长制",
    "政务服务",
    "数字政府建设",
    "养老服务",
    "交通运输",
    "粮食生产",
    "文明城市创建",
    "重点项目建设",
    "减税降费",
    "市场监管",
    "水利建设",
)

NEWS_TITLES = (
    "{region}召开{topic}工作推进会",
    "{region}开展{topic}专项检查",
    "{leader}调研{topic}工作",
    "{region}{topic}工作取得阶段性成效",
    "{region}部署{topic}重点工作",
    "{region}举办{topic}培训班",
)
NOTICE_TITLES = (
    "关于开展{topic}工作的通知",
    "关于{topic}有关事项的公告",
    "{region}{topic}项目公示",
    "关于做好{year}年{topic}工作的通知",
    "关于征求《{region}{topic}管理办法（征求意见稿）》意见的公告",
)
POLICY_TITLES = (
    "{org}关于印发《{region}{topic}实施方案》的通知",
    "{org}关于进一步加强{topic}工作的意见",
    "{org}关于印发《{region}{topic}三年行动计划（{year}—{year2}年）》的通知",
    "{org}关于做好{year}年{topic}工作的通知",
)
PERSONNEL_TITLES = (
    "{org}关于{person}等同志职务任免的通知",
    "{org}{year}年公开招聘工作人员公告",
    "{org}{year}年公开遴选公务员拟遴选人员名单公示",
)
PLAN_TITLES = ("{region}{year}年{topic}工作计划", "{region}“十四五”{topic}发展规划", "{region}{year}年{topic}工作要点")
GENERIC_TITLES = ("{region}{year}年{topic}情况", "{region}{topic}信息公开", "{year}年{topic}工作总结")
MESSAGE_TITLES = ("关于{topic}的咨询", "咨询{topic}办理流程", "反映{place}{problem}问题", "{place}{problem}何时解决？")
PROBLEMS = ("路灯不亮", "道路破损", "噪音扰民", "积水严重", "垃圾清运不及时", "停车难", "供水不稳定")
PERSONS = ("王明", "李华", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄敏")
PLACES = ("城关镇", "东门社区", "新华路", "人民路", "滨江小区", "工业园区")

# Standard columns: key → (standard name or "", freshness class, name variants)
# freshness class: news (14 d), notice (183 d), policy (183 d), personnel (365 d), "" (none)
COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "xxgk": ("政府信息公开", "", ("政府信息公开", "信息公开", "政务公开")),
    "gkzn": ("政府信息公开指南", "", ("政府信息公开指南", "信息公开指南")),
    "gkzd": ("政府信息公开制度", "", ("政府信息公开制度", "信息公开制度")),
    "fdzdgk": ("法定主动公开内容", "", ("法定主动公开内容", "法定主动公开")),
    "gknb": ("政府信息公开年报", "", ("政府信息公开年报", "政府信息公开年度报告", "信息公开年报")),
    "zcwj": ("政策文件", "policy", ("政策文件",)),
    "zcjd": ("政策解读", "", ("政策解读", "解读回应", "图解政策")),
    "tzgg": ("通知公告", "notice", ("通知公告",)),
    "hdjl": ("互动交流", "", ("互动交流", "政民互动", "公众参与")),
    "jgzn": ("机构职能", "", ("机构职能",)),
    "czyjs": ("财政预决算", "", ("财政预决算", "财政预决算公开")),
    "yw": ("", "news", ("政务动态", "工作动态", "本地要闻", "要闻动态")),
    "bmdt": ("", "news", ("部门动态", "乡镇动态", "基层动态")),
    "rsxx": ("", "personnel", ("人事信息",)),
    "ghjh": ("", "personnel", ("规划计划",)),
}
# Columns that exist but no rule asks to update (candidates for COLUMN-BLANK)
PLAIN_COLUMNS: tuple[tuple[str, str], ...] = (
    ("tjxx", "统计信息"),
    ("yjgl", "应急管理"),
    ("jyta", "建议提案办理"),
    ("zdxm", "重大项目"),
    ("sjxx", "审计信息"),
    ("ztzl", "专题专栏"),
)
STANDARD_COLUMN_NAMES: tuple[str, ...] = (
    "政府信息公开",
    "政府信息公开指南",
    "政府信息公开制度",
    "法定主动公开内容",
    "政府信息公开年报",
    "政策文件",
    "政策解读",
    "通知公告",
    "互动交流",
    "机构职能",
    "财政预决算",
)
FRESHNESS_DAYS = {"news": 14, "notice": 183, "policy": 183, "personnel": 365}

# Hosts outside the farm's sites that its pages link to and that the farm serves
# (and its DNS answers), so footer links are not broken.
KNOWN_EXTERNAL_HOSTS: tuple[str, ...] = (
    "www.gov.cn",
    "beian.miit.gov.cn",
    "www.beian.gov.cn",
    "bszs.conac.cn",
    "dcs.conac.cn",
    "www.amxpj88.com",
    "www.gjzwfw.gov.cn",  # content plants (zwgk.sitefarm.content.EXTERNAL_HOSTS)
    "zfwzgl.www.gov.cn",
    "pucha.kaipuyun.cn",  # 我为政府网站找错 widgets (kaipu footers)
)
