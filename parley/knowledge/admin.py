from django.contrib import admin

from parley.knowledge.models import Article, ArticleFeedback, Category, SearchLog, Section

admin.site.register(Category)
admin.site.register(Section)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("slug", "section", "status", "view_count", "updated_at")
    list_filter = ("status", "section")
    # Text is edited in the workspace, whose services keep versions and the search index.
    readonly_fields = ("slug", "status", "tags", "view_count", "helpful_count", "unhelpful_count", "created_at", "updated_at")


admin.site.register(ArticleFeedback)
admin.site.register(SearchLog)
