from django.urls import path

from . import apis

app_name = "cases"

urlpatterns = [
    path("persons/", apis.PersonListApi.as_view(), name="person-list"),
    path("persons/create/", apis.PersonCreateApi.as_view(), name="person-create"),
    path("persons/duplicates/", apis.PersonDuplicateListApi.as_view(), name="person-duplicates"),
    path("persons/<int:person_id>/", apis.PersonDetailApi.as_view(), name="person-detail"),
    path("persons/<int:person_id>/merge/", apis.PersonMergeApi.as_view(), name="person-merge"),
    path(
        "persons/<int:person_id>/register/",
        apis.RegisterEntryCreateApi.as_view(),
        name="register-entry-create",
    ),
    path("persons/<int:person_id>/referrals/", apis.ReferralCreateApi.as_view(), name="referral-create"),
    path(
        "persons/<int:person_id>/supervisions/",
        apis.SupervisionCreateApi.as_view(),
        name="supervision-create",
    ),
    path(
        "persons/<int:person_id>/transitions/",
        apis.CaseTransitionCreateApi.as_view(),
        name="transition-create",
    ),
    path(
        "transitions/<int:transition_id>/", apis.CaseTransitionRespondApi.as_view(), name="transition-respond"
    ),
    path("reports/", apis.ViolenceReportCreateApi.as_view(), name="report-create"),
    path("reports/<int:report_id>/order/", apis.ProtectionOrderIssueApi.as_view(), name="order-issue"),
    path("orders/", apis.ProtectionOrderListApi.as_view(), name="order-list"),
    path("orders/<int:order_id>/extend/", apis.ProtectionOrderExtendApi.as_view(), name="order-extend"),
    path(
        "orders/<int:order_id>/violations/",
        apis.ProtectionOrderViolationApi.as_view(),
        name="order-violation",
    ),
    path("checkins/<int:checkin_id>/", apis.CheckInRecordApi.as_view(), name="checkin-record"),
    path(
        "conclusions/<int:conclusion_id>/execute/",
        apis.ConclusionExecuteApi.as_view(),
        name="conclusion-execute",
    ),
    path("referrals/<int:referral_id>/status/", apis.ReferralStatusApi.as_view(), name="referral-status"),
    path("rounds/", apis.HouseholdRoundListApi.as_view(), name="round-list"),
    path("rounds/<int:round_id>/record/", apis.HouseholdRoundRecordApi.as_view(), name="round-record"),
    path("worklist/<str:code>/", apis.WorklistApi.as_view(), name="worklist"),
    path("results/", apis.ResultsApi.as_view(), name="results"),
    path("counts/", apis.CountsApi.as_view(), name="counts"),
]
