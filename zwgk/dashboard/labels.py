"""Chinese labels of the query layer's English column names and codes (UI text only)."""

from __future__ import annotations

ROLE_LABELS = {"leader": "领导", "evaluator": "评估人员", "department": "部门"}
KIND_LABELS = {"portal": "政府门户", "department": "部门网站"}
SEVERITY_LABELS = {"veto": "单项否决", "deduct": "扣分", "info": "提示"}
REVIEW_LABELS = {"": "未核查", "confirmed": "已确认", "dismissed": "已驳回"}
RECT_STATUS_LABELS = {"open": "待整改", "fixed": "已整改", "overdue": "逾期未改"}

PAGES = {
    "overview": "总览",
    "unit": "单位详情",
    "workbench": "评估工作台",
    "rectification": "整改清单",
    "evidence": "存档证据",
    "annual": "年度考核",
}
ROLE_PAGES = {
    "leader": ("overview", "unit", "rectification", "evidence", "annual"),
    "evaluator": ("overview", "unit", "workbench", "rectification", "evidence", "annual"),
    "department": ("rectification", "unit", "evidence", "annual"),
}

RANKING_LABELS = {
    "rank": "名次",
    "unit_name": "单位",
    "unit_id": "单位编码",
    "tier": "层级",
    "kind": "类型",
    "score": "得分",
    "verdict": "结论",
    "weighted": "绩效折算",
    "deductions": "扣分",
    "bonus": "加分",
    "veto_reason": "否决原因",
}

FINDING_LABELS = {
    "id": "编号",
    "unit_name": "单位",
    "unit_id": "单位编码",
    "rule": "规则编码",
    "subject": "对象",
    "severity": "性质",
    "rule_name": "规则",
    "points": "扣分",
    "page_link": "问题页面",
    "page": "页面地址",
    "http_status": "状态",
    "dates": "日期",
    "message": "问题描述",
    "fix": "整改建议",
    "review": "核查状态",
    "review_reason": "核查理由",
    "reviewer": "核查人",
    "evidence": "证据",
}

RECT_LABELS = {
    "unit_id": "单位编码",
    "unit_name": "单位",
    "rule": "规则编码",
    "rule_name": "规则",
    "subject": "对象",
    "status": "状态",
    "deadline": "整改期限",
    "opened_round": "发现轮次",
    "last_seen_round": "最近复查轮次",
    "closed_round": "整改完成轮次",
    "points": "扣分",
    "page": "页面地址",
    "message": "问题描述",
    "fix": "整改要求",
}

PART_LABELS = {"deduct": "扣分指标", "bonus": "加分指标", "veto": "单项否决", "website": "网站评估"}
COMPOSITE_LABELS = {"website": "网站评估（自动）"}

# Finding evidence keys as a person reads them (unknown keys keep their own name, as text).
EVIDENCE_LABELS = {
    "status": "状态",
    "http_status": "HTTP 状态",
    "http6_status": "IPv6 HTTP 状态",
    "newest_date": "最新更新日期",
    "as_of": "评估基准日",
    "date": "日期",
    "published": "发布日期",
    "asked": "留言时间",
    "answered": "回复时间",
    "deadline": "期限",
    "doc_date": "成文日期",
    "age_days": "距今天数",
    "working_days": "工作日数",
    "limit_working_days": "时限（工作日）",
    "threshold_days": "期限（天）",
    "period_days": "周期（天）",
    "column": "栏目",
    "title": "标题",
    "doc_number": "文号",
    "document": "文件",
    "source": "来源",
    "sources": "来源",
    "date_source": "日期来源",
    "doc_date_source": "成文日期来源",
    "pages": "页面数",
    "pages_checked": "检查页面数",
    "pages_missing": "缺失页面数",
    "items": "条目",
    "undated_items": "无日期条目",
    "failures": "失败次数",
    "probes": "探测次数",
    "url": "地址",
    "anchor": "链接文字",
    "anchors": "链接文字",
    "year": "年度",
    "rate": "比例",
    "target_rate": "目标比例",
    "share": "占比",
    "veto": "单项否决",
    "soft404": "伪 404 页面",
    "footer_site_code": "页脚网站标识码",
    "registry_site_code": "登记网站标识码",
    "fetched_at": "抓取时间",
    "window": "统计区间",
    "unanswered_months": "未回复月份",
    "stale_columns": "未更新栏目",
    "stale_timely_columns": "未及时更新栏目",
    "required_tags": "应有标签",
    "related_links": "相关链接",
    "confidence": "置信度",
    "parent": "上级单位",
    "page_type": "页面类型",
    "target": "目标",
}
EVIDENCE_VALUES = {
    "late": "逾期",
    "missing": "缺失",
    "stale": "未更新",
    "ok": "正常",
    "broken": "失效",
    "blocked": "被拦截",
    "transient": "暂时无法访问",
    "skipped": "未检查",
    "timeout": "超时",
    "refused": "拒绝访问",
    "review": "待人工核查",
    "meta": "页面元数据",
    "text": "正文",
    "list": "列表页",
    "url": "网址",
    True: "是",
    False: "否",
}
DATE_KEYS = ("date", "as_of", "asked", "answered", "published", "deadline", "fetched_at")

ANNUAL_LABELS = {
    "rank": "名次",
    "unit_name": "单位",
    "unit_id": "单位编码",
    "tier": "层级",
    "kind": "类型",
    "score": "年度得分",
    "rounds": "参评轮次",
    "c_rounds": "月检查",
    "c_availability": "日监测",
    "c_bulletins": "季通报",
    "c_rectification": "整改完成",
    "note": "说明",
}
