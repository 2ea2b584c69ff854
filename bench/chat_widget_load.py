"""The chat widget's effect on a host page's load, measured in headless Chromium.

Serves a shop-like host page from an origin of its own (the browser's requests for it are
answered by the benchmark, so no third server adds noise) twice: as it is, and with the
widget's one `<script async>` tag. Each load runs in a fresh browser context (nothing cached, as a first
visit). Reported per variant: DOMContentLoaded and load (Navigation Timing, from the start of
navigation), and for the widget how long until its launcher is drawn; then the difference.
"""
import argparse
import os
import statistics
import sys
import time

import harness
from ingest import Servers

HOST = "http://localhost:9"  # another origin than the server (127.0.0.1), on the same machine
HOST_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Host shop</title>
<style>body{{font:16px system-ui;margin:0}} .p{{display:inline-block;width:200px;margin:10px;padding:10px;border:1px solid #ddd}}</style>
</head><body><h1>Host shop</h1>{products}{widget}</body></html>"""


def measure(browser, url: str, pages: dict[str, str], *, widget: bool) -> dict[str, float]:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.route(f"{HOST}/**", lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8",
                                                              body=pages[route.request.url[len(HOST):]]))
        page.goto(url, wait_until="load")
        timing = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
                                          return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd}; }""")
        if widget:
            page.wait_for_function("() => { const h = document.getElementById('parley-chat');"
                                   " return h && h.shadowRoot && h.shadowRoot.querySelector('.launcher'); }", timeout=30_000)
            timing["launcher"] = page.evaluate("() => performance.now()")
        return timing
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="page loads per variant")
    parser.add_argument("--data-dir", help="data dir (default: a new temp dir)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    data_dir = harness.data_dir(args.data_dir)
    env = harness.environment(data_dir=data_dir)
    harness.django_setup(env)
    pages: dict[str, str] = {}

    from django.db import connections

    from parley.channels.services import inbox_create

    inbox = inbox_create(name=f"Widget load {time.time_ns()}", kind="chat", config={"allowed_origins": [HOST]})
    connections.close_all()
    servers = Servers(env, data_dir)
    try:
        base = servers.uvicorn("parley", "parley.asgi:application", workers=1, ready_path="/login/")
        products = "".join(f'<div class="p">Product {n}<br>€{n * 7}.00</div>' for n in range(60))
        pages["/plain"] = HOST_PAGE.format(products=products, widget="")
        pages["/with-widget"] = HOST_PAGE.format(
            products=products, widget=f'<script src="{base}/chat/widget.js" data-inbox="{inbox.key}" async></script>')
        results: dict[str, list[dict]] = {"plain": [], "with-widget": []}
        with sync_playwright() as playwright:
            # A real shop and Parley are both on the internet; here Parley is on loopback, which Chromium
            # walls off from other sites unless told this is not the case being guarded against.
            browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                                 args=["--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessChecks,"
                                                       "BlockInsecurePrivateNetworkRequests"])
            measure(browser, f"{HOST}/with-widget", pages, widget=True)  # warm the server, not the browser
            for run in range(args.runs):
                harness.progress(f"load {run + 1}/{args.runs}")
                # Interleaved, so a burst of load on the machine lands on both variants alike.
                results["plain"].append(measure(browser, f"{HOST}/plain", pages, widget=False))
                results["with-widget"].append(measure(browser, f"{HOST}/with-widget", pages, widget=True))
            browser.close()
        harness.progress_done()
    finally:
        servers.stop()

    def median(variant: str, key: str) -> float:
        return statistics.median(r[key] for r in results[variant])

    load1, load5, _ = os.getloadavg()
    print(f"\n## Chat widget on a host page: {args.runs} cold loads per variant (load average {load1:.1f}, {load5:.1f})\n")
    rows = [[variant, f"{median(variant, 'dcl'):.1f} ms", f"{median(variant, 'load'):.1f} ms",
             f"{median(variant, 'launcher'):.0f} ms" if variant == "with-widget" else "—"] for variant in results]
    harness.print_table(["page", "DOMContentLoaded (median)", "load (median)", "launcher drawn (median)"], rows)
    print(f"\nThe widget adds {median('with-widget', 'dcl') - median('plain', 'dcl'):+.1f} ms to DOMContentLoaded and "
          f"{median('with-widget', 'load') - median('plain', 'load'):+.1f} ms to load (medians).")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
