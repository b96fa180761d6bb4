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
}
ROLE_PAGES = {
    "leader": ("overview", "unit", "rectification"),
    "evaluator": ("overview", "unit", "workbench", "rectification"),
    "department": ("rectification", "unit"),
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
}

FINDING_LABELS = {
    "id": "编号",
    "unit_name": "单位",
    "unit_id": "单位编码",
    "rule": "规则",
    "subject": "对象",
    "severity": "性质",
    "points": "扣分",
    "page_link": "问题页面",
    "page": "页面地址",
    "http_status": "HTTP 状态",
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
    "rule": "规则",
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
