from django.urls import path

from mahalla.core.lazy import lazy_api

app_name = "cases"

urlpatterns = [
    path("persons/", lazy_api("mahalla.cases.apis.PersonListApi"), name="person-list"),
    path("persons/create/", lazy_api("mahalla.cases.apis.PersonCreateApi"), name="person-create"),
    path(
        "persons/duplicates/", lazy_api("mahalla.cases.apis.PersonDuplicateListApi"), name="person-duplicates"
    ),
    path("persons/<int:person_id>/", lazy_api("mahalla.cases.apis.PersonDetailApi"), name="person-detail"),
    path(
        "persons/<int:person_id>/merge/", lazy_api("mahalla.cases.apis.PersonMergeApi"), name="person-merge"
    ),
    path(
        "persons/<int:person_id>/register/",
        lazy_api("mahalla.cases.apis.RegisterEntryCreateApi"),
        name="register-entry-create",
    ),
    path(
        "persons/<int:person_id>/referrals/",
        lazy_api("mahalla.cases.apis.ReferralCreateApi"),
        name="referral-create",
    ),
    path(
        "persons/<int:person_id>/supervisions/",
        lazy_api("mahalla.cases.apis.SupervisionCreateApi"),
        name="supervision-create",
    ),
    path(
        "persons/<int:person_id>/transitions/",
        lazy_api("mahalla.cases.apis.CaseTransitionCreateApi"),
        name="transition-create",
    ),
    path(
        "transitions/<int:transition_id>/",
        lazy_api("mahalla.cases.apis.CaseTransitionRespondApi"),
        name="transition-respond",
    ),
    path("reports/", lazy_api("mahalla.cases.apis.ViolenceReportCreateApi"), name="report-create"),
    path(
        "reports/<int:report_id>/order/",
        lazy_api("mahalla.cases.apis.ProtectionOrderIssueApi"),
        name="order-issue",
    ),
    path("orders/", lazy_api("mahalla.cases.apis.ProtectionOrderListApi"), name="order-list"),
    path(
        "orders/<int:order_id>/extend/",
        lazy_api("mahalla.cases.apis.ProtectionOrderExtendApi"),
        name="order-extend",
    ),
    path(
        "orders/<int:order_id>/violations/",
        lazy_api("mahalla.cases.apis.ProtectionOrderViolationApi"),
        name="order-violation",
    ),
    path(
        "checkins/<int:checkin_id>/", lazy_api("mahalla.cases.apis.CheckInRecordApi"), name="checkin-record"
    ),
    path(
        "conclusions/<int:conclusion_id>/execute/",
        lazy_api("mahalla.cases.apis.ConclusionExecuteApi"),
        name="conclusion-execute",
    ),
    path(
        "referrals/<int:referral_id>/status/",
        lazy_api("mahalla.cases.apis.ReferralStatusApi"),
        name="referral-status",
    ),
    path("rounds/", lazy_api("mahalla.cases.apis.HouseholdRoundListApi"), name="round-list"),
    path(
        "rounds/<int:round_id>/record/",
        lazy_api("mahalla.cases.apis.HouseholdRoundRecordApi"),
        name="round-record",
    ),
    path("worklist/<str:code>/", lazy_api("mahalla.cases.apis.WorklistApi"), name="worklist"),
    path("results/", lazy_api("mahalla.cases.apis.ResultsApi"), name="results"),
    path("counts/", lazy_api("mahalla.cases.apis.CountsApi"), name="counts"),
]
