"""The demo shop (/demo/shop/): static pages that embed the chat widget the way a store would, with a cart and an order."""
from django.http import Http404
from django.shortcuts import render

from parley.channels.models import Inbox

PRODUCTS = [
    {"slug": "trail-shoes", "name": "Trail running shoes", "price": "89.00", "blurb": "Grippy soles for muddy paths."},
    {"slug": "rain-jacket", "name": "Packable rain jacket", "price": "120.00", "blurb": "Folds into its own pocket."},
    {"slug": "wool-socks", "name": "Merino wool socks", "price": "14.50", "blurb": "Warm, and they don't itch."},
]


def shop_page(request, page: str, slug: str = ""):
    """Render one page of the demo shop; the cart lives in the browser and goes to the chat through setContext."""
    product = next((p for p in PRODUCTS if p["slug"] == slug), None)
    if page == "product" and product is None:
        raise Http404("No such product.")
    inbox = Inbox.objects.filter(kind="chat", is_active=True).order_by("pk").first()
    return render(request, f"chat/shop/{page}.html", {"products": PRODUCTS, "product": product, "inbox": inbox})
