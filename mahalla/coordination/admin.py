"""Reference data only: agencies and staff are territorial and are managed through the scoped services."""

from django.contrib import admin

from .models import Course, OversightRule, TaskType


@admin.register(TaskType)
class TaskTypeAdmin(admin.ModelAdmin):
    list_display = ["key", "name_en", "accept_days", "complete_days"]


@admin.register(OversightRule)
class OversightRuleAdmin(admin.ModelAdmin):
    list_display = ["key", "name_en", "enabled", "legal_basis"]
    readonly_fields = ["key"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["key", "topic", "title_en", "hours", "certificate_years"]
