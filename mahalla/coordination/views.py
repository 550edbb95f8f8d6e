"""Pages of coordination: the task inbox, a task with its history and actions, the council's meetings with
the proposed agenda, decisions and minutes, the oversight findings, and the training plan. Reads through the
selectors and access funnels, writes through the services; an object outside the user's access is a 404 and a
bad value is shown on the page, never a server error."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.paging import paginate
from mahalla.territory.access import district_filter_for
from mahalla.territory.models import District, Mahalla

from . import council, oversight, selectors, services, training
from .access import (
    COUNCIL_CHAIRS,
    FINDING_RESPONDERS,
    OVERSIGHT_RUNNERS,
    access_finding_by_id,
    access_meeting_by_id,
    access_task_by_id,
    meeting_chair_allowed,
    staff_member_of,
    task_receiver,
    task_sender,
)
from .inputs import parse_agency, parse_course, parse_date, parse_staff, parse_task_type
from .models import OversightRule, Post, StaffMember, Task, TaskSubject, TaskType
from .presentation import findings_present


def _error(request: HttpRequest, error: ApplicationError) -> None:
    field = error.extra.get("field")
    messages.error(request, f"{field}: {error.message}" if field else error.message)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    member = staff_member_of(request.user)
    box = request.GET.get("box") or ("incoming" if member else "all")
    if box not in ("incoming", "outgoing", "mine", "all"):
        box = "all"
    status = request.GET.get("status", "")
    if status not in Task.Status.values:
        status = ""
    tasks = selectors.task_list(actor=request.user, box=box, status=status)
    return render(
        request,
        "coordination/inbox.html",
        {
            "page": paginate(request, tasks),
            "box": box,
            "status": status,
            "member": member,
            "statuses": Task.Status.choices,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest) -> HttpResponse:
    member = staff_member_of(request.user)
    if member is None:
        raise Http404(_("Only the staff of an agency can send tasks."))
    agencies = selectors.agencies_for_sending(actor=request.user)
    if request.method == "POST":
        try:
            mahalla_code = request.POST.get("mahalla", "").strip()
            mahalla = None
            if mahalla_code:
                mahalla = Mahalla.objects.filter(code=mahalla_code).defer("boundary").first()
                if mahalla is None:
                    raise ApplicationError(
                        _("Unknown mahalla %(code)s.") % {"code": mahalla_code[:20]}, {"field": "mahalla"}
                    )
            task = services.task_create(
                actor=request.user,
                to_agency=parse_agency(request.POST.get("to_agency")),
                task_type=parse_task_type(request.POST.get("task_type")),
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                subject=request.POST.get("subject") or TaskSubject.MAHALLA,
                subject_reference=request.POST.get("subject_reference", ""),
                mahalla=mahalla,
                deadline=parse_date(request.POST.get("deadline"), "deadline", required=False),
                consent_given=request.POST.get("consent_given") == "on",
                consent_override_reason=request.POST.get("consent_override_reason", ""),
            )
        except ApplicationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Task %(number)s sent.") % {"number": task.number})
            return redirect("coordination-web:task", task_id=task.pk)
    return render(
        request,
        "coordination/task_new.html",
        {
            "agencies": agencies,
            "task_types": TaskType.objects.all(),
            "subjects": [
                (value, label) for value, label in TaskSubject.choices if value != TaskSubject.DECISION
            ],
            "member": member,
            "form": request.POST,
            "language": (get_language() or "uz")[:2],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    try:
        task = access_task_by_id(request.user, task_id)
    except AccessDenied as error:
        raise Http404(error.message) from error
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "accept":
                services.task_accept(
                    actor=request.user, task=task, assignee=parse_staff(request.POST.get("assignee"))
                )
            elif action == "refuse":
                services.task_refuse(actor=request.user, task=task, reason=request.POST.get("reason", ""))
            elif action in ("progress", "done"):
                services.task_progress(
                    actor=request.user,
                    task=task,
                    text=request.POST.get("text", ""),
                    evidence=request.FILES.get("evidence"),
                    done=action == "done",
                )
            elif action in ("close", "return"):
                services.task_close(
                    actor=request.user,
                    task=task,
                    accept_result=action == "close",
                    text=request.POST.get("text", ""),
                )
            elif action == "retry":
                notification = task.notifications.filter(
                    pk=str(request.POST.get("notification", "0"))
                    if str(request.POST.get("notification", "")).isdigit()
                    else 0
                ).first()
                if notification is None:
                    raise ApplicationError(_("Choose a valid notification."), {"field": "notification"})
                services.notification_retry(actor=request.user, notification=notification)
            else:
                raise ApplicationError(_("Unknown action."), {"field": "action"})
        except ApplicationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Saved."))
        return redirect("coordination-web:task", task_id=task.pk)
    selectors.task_detail_read(actor=request.user, task=task, purpose=request.GET.get("purpose", ""))
    return render(
        request,
        "coordination/task_detail.html",
        {
            "task": task,
            "events": task.events.select_related("actor"),
            "notifications": selectors.task_notifications(task=task),
            "receiver": task_receiver(request.user, task),
            "sender": task_sender(request.user, task),
            "colleagues": task.to_agency.staff.filter(active=True),
            "today": timezone.localdate(),
            "language": (get_language() or "uz")[:2],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meetings(request: HttpRequest) -> HttpResponse:
    can_chair = request.user.role in COUNCIL_CHAIRS
    if request.method == "POST":
        try:
            district_code = request.POST.get("district", "")
            district = (
                District.objects.filter(code=district_code).defer("boundary").first()
                if district_code
                else None
            )
            level = request.POST.get("level", "district")
            meeting = council.meeting_create(
                actor=request.user,
                level=level,
                date=parse_date(request.POST.get("date"), "date"),
                district=district,
                region=district.region if district else _user_region(request.user),
            )
        except ApplicationError as error:
            _error(request, error)
            return redirect("coordination-web:meetings")
        return redirect("coordination-web:meeting", meeting_id=meeting.pk)
    districts = (
        District.objects.filter(district_filter_for(request.user)).defer("boundary").order_by("name_uz")
    )
    return render(
        request,
        "coordination/meetings.html",
        {
            "page": paginate(request, selectors.meeting_list(actor=request.user)),
            "can_chair": can_chair,
            "districts": districts[:300],
            "today": timezone.localdate(),
        },
    )


def _user_region(user: Any) -> Any:
    from mahalla.territory.models import Region

    region_id = user.scope_region_id or (user.scope_district.region_id if user.scope_district_id else None)
    return Region.objects.filter(pk=region_id).defer("boundary").first() if region_id else None


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    try:
        meeting = access_meeting_by_id(request.user, meeting_id)
    except AccessDenied as error:
        raise Http404(error.message) from error
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "decision":
                item_id = request.POST.get("agenda_item", "")
                item = meeting.agenda.filter(pk=int(item_id)).first() if item_id.isdigit() else None
                council.decision_record(
                    actor=request.user,
                    meeting=meeting,
                    text=request.POST.get("text", ""),
                    to_agency=parse_agency(request.POST.get("to_agency")),
                    deadline=parse_date(request.POST.get("deadline"), "deadline"),
                    agenda_item=item,
                    today=timezone.localdate(),
                )
            elif action == "agenda":
                council.agenda_item_add(
                    actor=request.user, meeting=meeting, title=request.POST.get("title", "")
                )
            elif action == "hold":
                council.meeting_hold(
                    actor=request.user, meeting=meeting, attendees=request.POST.get("attendees", "")
                )
            else:
                raise ApplicationError(_("Unknown action."), {"field": "action"})
        except ApplicationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Saved."))
        return redirect("coordination-web:meeting", meeting_id=meeting.pk)
    chair = meeting_chair_allowed(request.user, meeting)
    agencies = selectors.agencies_for_sending(actor=request.user) if chair else []
    return render(
        request,
        "coordination/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": meeting.agenda.all(),
            "decisions": meeting.decisions.prefetch_related("tasks__to_agency"),
            "chair": chair,
            "agencies": agencies,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    try:
        meeting = access_meeting_by_id(request.user, meeting_id)
    except AccessDenied as error:
        raise Http404(error.message) from error
    language = request.GET.get("language", "uz")
    try:
        pdf = council.minutes_pdf(meeting=meeting, language=language)
    except ApplicationError as error:
        raise Http404(error.message) from error
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="council-{meeting.pk}-{language}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def oversight_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            if request.POST.get("action") == "run":
                outcome = oversight.oversight_run(actor=request.user)
                messages.success(
                    request,
                    _("%(new)s new findings, %(resolved)s resolved.")
                    % {"new": outcome.created, "resolved": outcome.resolved},
                )
            else:
                finding = access_finding_by_id(request.user, request.POST.get("finding"))
                if request.POST.get("action") == "close":
                    oversight.finding_close(actor=request.user, finding=finding)
                else:
                    oversight.finding_respond(
                        actor=request.user, finding=finding, response=request.POST.get("response", "")
                    )
                messages.success(request, _("Saved."))
        except ApplicationError as error:
            _error(request, error)
        return redirect(request.get_full_path())
    status = request.GET.get("status", "")
    rule = request.GET.get("rule", "")
    findings = selectors.finding_list(actor=request.user, status=status, rule=rule)
    page = paginate(request, findings)
    selectors.findings_read(actor=request.user, findings=list(page))
    rules = list(OversightRule.objects.all())
    language = (get_language() or "uz")[:2]
    for item in rules:
        item.display_name = item.name_in(language)
        item.legal_basis_text = item.legal_basis_in(language)
        item.available = oversight.oversight_check_available(item.key)
    names = {item.pk: item.display_name for item in rules}
    for finding in page:
        finding.rule_name = names.get(finding.rule_id, finding.rule.key)
    findings_present(list(page), language)
    return render(
        request,
        "coordination/oversight.html",
        {
            "page": page,
            "rules": rules,
            "status": status,
            "rule": rule,
            "can_run": request.user.role in OVERSIGHT_RUNNERS,
            "can_respond": request.user.role in FINDING_RESPONDERS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_page(request: HttpRequest) -> HttpResponse:
    district_choices = (
        District.objects.filter(district_filter_for(request.user)).defer("boundary").order_by("name_uz")
    )
    # The plan of one district of the territory (`?district=<code>`), or of the whole territory.
    selected = None
    code = request.GET.get("district", "").strip()
    try:
        if code:
            selected = district_choices.filter(code=code).first()
            if selected is None:
                raise ApplicationError(_("Choose a district of your territory."), {"field": "district"})
        plan = training.training_plan(actor=request.user, district=selected)
    except AccessDenied as error:
        raise Http404(error.message) from error
    except ApplicationError as error:
        _error(request, error)
        plan = training.training_plan(actor=request.user)
    if request.method == "POST":
        try:
            district = district_choices.filter(code=request.POST.get("district", "")).first()
            if district is None:
                raise ApplicationError(_("Choose a district of your territory."), {"field": "district"})
            results = []
            for member in StaffMember.objects.filter(
                district=district,
                pk__in=[value for value in request.POST.getlist("member") if value.isdigit()],
            ):
                raw = request.POST.get(f"score_{member.pk}", "").strip()
                if raw and not raw.isdigit():
                    raise ApplicationError(_("A score is a whole number from 0 to 100."), {"field": "score"})
                results.append((member, int(raw) if raw else None))
            training.training_class_record(
                actor=request.user,
                course=parse_course(request.POST.get("course")),
                date=parse_date(request.POST.get("date"), "date"),
                district=district,
                trainer=request.POST.get("trainer", "")[:200],
                results=results,
            )
        except ApplicationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Class recorded."))
        return redirect("coordination-web:training")
    language = (get_language() or "uz")[:2]
    for row in plan["plan"]:
        row["course_title"] = row["course"].title_in(language) if row["course"] else ""
    for need in plan["needs"]:
        course = plan["courses"].get(need.course_key)
        need.course_title = course.title_in(language) if course else need.course_key
        need.post_label = Post(need.post).label if need.post in Post.values else need.post
    return render(
        request,
        "coordination/training.html",
        {
            "plan": plan["plan"],
            "quarter": plan["quarter"],
            "needs_page": paginate(request, plan["needs"]),
            "effects": [
                {**row, "course_title": row["class"].course.title_in(language)}
                for row in training.training_effects(actor=request.user)
            ],
            "districts": district_choices,
            "selected": selected,
            "courses": plan["courses"].values(),
            "staff": StaffMember.objects.filter(district=selected, active=True).order_by("full_name")
            if selected is not None
            else StaffMember.objects.none(),
            "today": timezone.localdate(),
            "language": language,
        },
    )
