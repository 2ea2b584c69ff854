import uuid

from django.db import models


class ChatVisitor(models.Model):
    """One browser talking to a chat inbox: its contact, what the host page told us, and whether it is still there.

    The widget holds a signed token naming `public_id` (localStorage), so a visitor keeps their
    conversation across reloads and tabs; the token never names a contact or a conversation.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    inbox = models.ForeignKey("inboxes.Inbox", on_delete=models.CASCADE, related_name="chat_visitors")
    #: Set by the visitor's first message (or a verified identity): a page view alone makes no contact.
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="chat_visitors")
    #: What the visitor typed into the pre-chat form or the offline form, until a contact carries it.
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    #: The host site's user id once its backend vouched for it (identity verification); empty while anonymous.
    verified_id = models.CharField(max_length=200, blank=True)
    #: What the host page passed to Parley.setContext (cart, order, plan …), the latest call wins.
    context = models.JSONField(default=dict, blank=True)
    #: The pages the visitor opened with the widget on them, newest last: [{"url", "title", "at"}].
    pages = models.JSONField(default=list, blank=True)
    referrer = models.CharField(max_length=1000, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    #: Until when a socket of this visitor counts as open (pings push it on); replies after it go by email.
    connected_until = models.DateTimeField(null=True, blank=True)
    #: The day the proactive greeting was last shown, so it shows at most once a day.
    greeted_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["inbox", "contact"])]

    def __str__(self) -> str:
        return f"visitor {self.public_id} of {self.contact}"

    @property
    def placeholder_name(self) -> str:
        """The contact's name until the visitor gives theirs: short, and telling two visitors apart."""
        return f"Chat visitor {str(self.public_id)[:6]}"


class ChatRating(models.Model):
    """How the visitor rated a chat once it ended (1–5; thumbs are 1 and 5), kept for the surveys."""

    conversation = models.OneToOneField("conversations.Conversation", on_delete=models.CASCADE, related_name="chat_rating")
    score = models.PositiveSmallIntegerField()
    comment = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.score}/5 on #{self.conversation_id}"
