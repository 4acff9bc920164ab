"""Inspection plans, the 重点检查 list and 双随机 draws (plan §三(七)14)."""
