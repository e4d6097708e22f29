"""Page weight and load time of the daemon's dashboard (scripts/bench-dashboard).

Loads the overview RUNS times in headless Chromium and reports, from the
browser's own Navigation and Resource Timing: bytes transferred for the page
(HTML, CSS, script; the API's JSON separately), time to DOMContentLoaded,
to the load event, and until the agents table is first drawn (the page's
first API round trip included). Medians and the worst run, in ms.
"""

import argparse
import statistics
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

p = argparse.ArgumentParser()
p.add_argument("--url", required=True)
p.add_argument("--runs", type=int, default=20)
p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
args = p.parse_args()

opts = webdriver.ChromeOptions()
for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-extensions"):
    opts.add_argument(a)
d = webdriver.Chrome(service=Service(args.chromedriver), options=opts)
rows = []
try:
    for i in range(args.runs + 1):
        d.execute_cdp_cmd("Network.clearBrowserCache", {})
        d.get("about:blank")
        d.get(args.url + "/")
        WebDriverWait(d, 30, poll_frequency=0.005).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, "#agents-table tr[data-agent]"))
        m = d.execute_script("""
            const nav = performance.getEntriesByType('navigation')[0];
            const res = performance.getEntriesByType('resource');
            const assets = res.filter(r => !r.name.includes('/api/'));
            const apiRes = res.filter(r => r.name.includes('/api/'));
            const sum = (xs, k) => xs.reduce((a, r) => a + r[k], 0);
            return {
              page_bytes: nav.transferSize + sum(assets, 'transferSize'),
              page_body_bytes: nav.decodedBodySize + sum(assets, 'decodedBodySize'),
              api_bytes: sum(apiRes, 'transferSize'),
              dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
              drawn: performance.now()};
        """)
        if i:  # the first load warms the daemon and the browser
            rows.append(m)
finally:
    d.quit()

med = lambda k: statistics.median(r[k] for r in rows)
worst = lambda k: max(r[k] for r in rows)
print(f"runs: {len(rows)} (cache cleared before each)")
print(f"page weight: {rows[-1]['page_bytes']} bytes transferred, {rows[-1]['page_body_bytes']} bytes decoded "
      f"(HTML + CSS + JS); first API responses: {rows[-1]['api_bytes']} bytes")
for k, label in (("dcl", "DOMContentLoaded"), ("load", "load event"), ("drawn", "agents table drawn")):
    print(f"{label}: median {med(k):.1f} ms, worst {worst(k):.1f} ms")
sys.exit(0)
