from django.urls import path

from parley.channels.chat import shop_views, views

app_name = "chat"
urlpatterns = [
    path("chat/widget.js", views.widget_js, name="widget"),
    path("chat/<str:key>/session/", views.session_open, name="session"),
    path("chat/<str:key>/upload/", views.file_upload, name="upload"),
    path("chat/file/<str:signed>/", views.file_download, name="file"),
    path("chat/tray/", views.chat_tray_view, name="tray"),
    path("chat/c/<int:number>/end/", views.chat_end_view, name="end"),
    path("chat/c/<int:number>/transfer/", views.chat_transfer_view, name="transfer"),
    path("demo/shop/", shop_views.shop_page, {"page": "products"}, name="shop"),
    path("demo/shop/product/<slug:slug>/", shop_views.shop_page, {"page": "product"}, name="shop-product"),
    path("demo/shop/cart/", shop_views.shop_page, {"page": "cart"}, name="shop-cart"),
    path("demo/shop/checkout/", shop_views.shop_page, {"page": "checkout"}, name="shop-checkout"),
]
