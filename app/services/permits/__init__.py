"""Permits to work (作业票), issue 15: the lifecycle on the shared transition engine
(app/services/workflow.py), the guards of 第10号令 第十三条(二) and 13号令 arts 7, 14, 15, 18,
site records, detected violations as hazards, and the supervisors' live view."""
