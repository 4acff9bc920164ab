"""Special-operations certificates entering the warning window and lapsing (第30号令
第十九条 6-year validity, 第二十一条 review every 3 years, 第二十二条 apply within 60 days
before): the existing status rule (app/rules/certificates.py) decides, with the same
`certificate_warning_days` setting as the compliance check."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models.enterprise import Enterprise
from app.models.notification import NotificationKind
from app.models.records import Certificate
from app.rules.certificates import STATUS_LABELS, CertificateStatus, certificate_status
from app.services.reminders.recipients import Recipients
from app.services.reminders.sending import Due, Message, send


async def scan(
    session: AsyncSession, *, today: date, now: datetime, settings: Settings, people: Recipients
) -> tuple[int, int]:
    horizon = today + timedelta(days=settings.certificate_warning_days)
    soonest = case(
        (Certificate.next_review_on < Certificate.expires_on, Certificate.next_review_on),
        else_=Certificate.expires_on,
    )
    stmt = (
        select(Certificate, Enterprise.grid_id, Enterprise.name)
        .join(Enterprise, Enterprise.id == Certificate.enterprise_id)
        .where(soonest <= horizon)
        .order_by(Certificate.id)
    )
    due: list[Due] = []
    for cert, grid_id, name in (await session.execute(stmt)).all():
        status = certificate_status(
            expires_on=cert.expires_on,
            next_review_on=cert.next_review_on,
            today=today,
            warning_days=settings.certificate_warning_days,
        )
        if status == CertificateStatus.VALID:
            continue
        label = STATUS_LABELS[status]
        title = f"特种作业操作证{label}：{cert.certificate_no}"
        body = (
            f"{name} {cert.holder_name} 的特种作业操作证 {cert.certificate_no}"
            f"（有效期至 {cert.expires_on.isoformat()}，"
            f"复审日期 {cert.next_review_on.isoformat()}）"
            f"{label}，请按《特种作业人员安全技术培训考核管理规定》办理复审或换证。"
        )
        messages = tuple(
            Message(u, NotificationKind.certificate_expiry, title, body)
            for u in people.local(cert.enterprise_id, grid_id)
        )
        # The date the stage is about: a renewed or reviewed certificate starts over.
        deadline = min(cert.expires_on, cert.next_review_on)
        due.append(Due("certificate", cert.id, deadline, str(status), messages))
    return await send(session, due, today=today, now=now)
