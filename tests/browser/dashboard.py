"""Drive the daemon's web dashboard in headless Chromium (tests/it/dashboard.rs).

The Rust test starts a daemon with a token, example agents (report-writer
with two recorded versions, word-count) and seeded memory, then runs this
script. Each check prints `PASS <name>`; the first failure prints `FAIL
<name>: <why>` and exits 1. Screenshots of every page at desktop and phone
width go to --out; their paths are printed as `SCREENSHOT <path>`.

The CLI (--caxton, with the environment this script was given) deploys an
agent while the overview is open, and checks the version after a rollback
made in the page.
"""

import argparse
import json
import os
import subprocess
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--caxton", required=True, help="the caxton binary")
    p.add_argument("--new-agent", required=True, help="agent file the CLI deploys mid-test")
    p.add_argument("--out", required=True, help="directory for screenshots")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    p.add_argument("--model", action="store_true", help="the local model is installed: also run a config agent")
    p.add_argument("--timeout", type=float, default=30.0)
    return p.parse_args()


class Check:
    def __init__(self, args):
        self.args = args
        opts = webdriver.ChromeOptions()
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--no-first-run", "--disable-extensions", "--window-size=1280,900"):
            opts.add_argument(a)
        self.driver = webdriver.Chrome(service=Service(args.chromedriver), options=opts)
        self.shots = []

    def fail(self, name, why):
        print(f"FAIL {name}: {why}", flush=True)
        try:
            self.shot(f"failure-{name}", sizes=("desktop",))
            logs = self.driver.get_log("browser")
            for entry in logs[-20:]:
                print(f"  browser: {entry.get('level')} {entry.get('message')}", flush=True)
        except Exception:  # the browser may be gone; the FAIL line says why
            pass
        sys.exit(1)

    def wait(self, name, cond, timeout=None):
        try:
            return WebDriverWait(self.driver, timeout or self.args.timeout, poll_frequency=0.1).until(cond)
        except TimeoutException:
            self.fail(name, f"timed out after {timeout or self.args.timeout:.0f}s waiting")

    def ok(self, name, detail=""):
        print(f"PASS {name}{': ' + detail if detail else ''}", flush=True)

    def cli(self, *argv):
        r = subprocess.run([self.args.caxton, *argv], capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            self.fail("cli " + " ".join(argv), r.stderr.strip())
        return r.stdout

    def go(self, hash_):
        self.driver.execute_script("location.hash = arguments[0]", hash_)

    def text(self, css):
        els = self.driver.find_elements(By.CSS_SELECTOR, css)
        return els[0].text if els else ""

    def shot(self, page, sizes=("desktop", "phone")):
        d = self.driver
        for size in sizes:
            w, h = SIZES[size]
            d.set_window_size(w, h)
            time.sleep(0.3)  # let the layout settle at the new width
            # The whole page, not just the first screen (capped).
            full = d.execute_script("return document.documentElement.scrollHeight")
            if full > h:
                d.set_window_size(w, min(full + 140, 4000))
                time.sleep(0.3)
            path = os.path.join(self.args.out, f"{page}-{size}.png")
            d.save_screenshot(path)
            self.shots.append(path)
            print(f"SCREENSHOT {path}", flush=True)
        d.set_window_size(*SIZES["desktop"])


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    c = Check(args)
    d = c.driver
    try:
        run(c, d, args)
    finally:
        d.quit()


def run(c, d, args):
    # 1. The token is asked for, kept in session storage and sent.
    d.get(args.url + "/")
    c.wait("login form", EC.visibility_of_element_located((By.ID, "login-token")))
    d.find_element(By.ID, "login-token").send_keys(args.token)
    d.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
    stored = d.execute_script("return sessionStorage.getItem('caxton-token')")
    if stored != args.token:
        c.fail("login", "the token is not in session storage")
    c.ok("login", "token kept in sessionStorage")

    # 2. The overview lists the deployed agents.
    for agent in ("report-writer", "word-count", "data-analyzer", "api-watcher"):
        c.wait("overview lists " + agent,
               EC.presence_of_element_located((By.CSS_SELECTOR, f'#agents-table tr[data-agent="{agent}"]')))
    c.wait("overview health", lambda d: "healthy" in c.text("#cards"))
    c.ok("overview lists the agents")
    c.shot("overview")

    # 3. A deploy through the CLI appears without a reload.
    d.execute_script("window.__notReloaded = true")
    c.cli("agents", "deploy", "greeter", "--source", args.new_agent)
    c.wait("deployed agent appears",
           EC.presence_of_element_located((By.CSS_SELECTOR, '#agents-table tr[data-agent="greeter"]')))
    if d.execute_script("return window.__notReloaded") is not True:
        c.fail("deploy appears without a reload", "the page was reloaded")
    c.ok("deploy through the CLI appears without a reload")

    # 4. Try it: a WASM agent with JSON input shows its answer.
    c.go("#/try/word-count")
    c.wait("try form", EC.presence_of_element_located((By.CSS_SELECTOR, '#try-agent option[value="word-count"]')))
    c.wait("json input preset", lambda d: d.find_element(By.ID, "try-json").is_selected())
    box = d.find_element(By.ID, "try-input")
    box.clear()
    box.send_keys('"one two two"')
    d.find_element(By.ID, "try-run").click()
    answer = c.wait("try-it answer", EC.presence_of_element_located((By.ID, "try-answer")))
    got = json.loads(answer.text)
    if got.get("words") != 3 or got.get("unique_words") != 2:
        c.fail("try-it answer", f"unexpected answer {answer.text}")
    c.ok("try it runs word-count", f"words={got['words']}")
    if args.model:
        # A config agent on the local model: its first round is a
        # constrained tool call, shown with its result.
        c.go("#/try/data-analyzer")
        c.wait("try form", EC.presence_of_element_located((By.CSS_SELECTOR, '#try-agent option[value="data-analyzer"]')))
        Select(d.find_element(By.ID, "try-agent")).select_by_value("data-analyzer")
        box = d.find_element(By.ID, "try-input")
        box.clear()
        box.send_keys("Summarise this CSV file: ragged.csv")
        d.find_element(By.ID, "try-run").click()
        # The tool call shows while the run is still going (streamed), not
        # only once the answer is in: its result (the tool refuses the
        # ragged file) appears before the answer round (another model call
        # of several seconds) has finished.
        c.wait("tool call shown as it happens", lambda d: d.find_elements(By.CSS_SELECTOR, "#try-calls li strong")
               or d.find_elements(By.ID, "try-answer")
               or d.find_elements(By.CSS_SELECTOR, "#try-result .error[role=alert]"), timeout=600)
        if not d.find_elements(By.CSS_SELECTOR, "#try-calls li strong"):
            c.fail("tool call shown as it happens", "the run ended before any tool call was shown: "
                   + c.text("#try-result"))
        live_name = d.find_element(By.CSS_SELECTOR, "#try-calls li strong").text
        c.ok("try it shows the tool call while the run goes on", live_name)
        # A failed run shows an alert; a failed tool call's message (this
        # one's) is not the run failing.
        c.wait("config agent run", lambda d: d.find_elements(By.ID, "try-answer")
               or d.find_elements(By.CSS_SELECTOR, "#try-result .error[role=alert]"), timeout=600)
        if not d.find_elements(By.ID, "try-answer"):
            c.fail("config agent run", c.text("#try-result"))
        calls = d.find_elements(By.CSS_SELECTOR, "#try-result ol.calls li strong")
        if not calls:
            c.fail("try it shows the tool call", c.text("#try-result"))
        c.ok("try it shows the tool call and answer", calls[0].text)
    c.shot("try-it")

    # 5. Memory search returns the seeded entity; its page shows the graph.
    c.go("#/memory")
    q = c.wait("memory form", EC.presence_of_element_located((By.ID, "memory-query")))
    q.send_keys("who wrote the first program")
    d.find_element(By.ID, "memory-search").click()
    hit = c.wait("memory result", EC.presence_of_element_located(
        (By.CSS_SELECTOR, '#memory-result-list li[data-entity="Ada Lovelace"]')))
    first = d.find_elements(By.CSS_SELECTOR, "#memory-result-list li")[0].get_attribute("data-entity")
    if first != "Ada Lovelace":
        c.fail("memory search ranks the seeded entity first", f"first result is {first}")
    if "score" not in hit.text:
        c.fail("memory search shows scores", hit.text)
    c.ok("memory search returns the seeded entity", hit.text.splitlines()[0])
    c.shot("memory-search")
    hit.find_element(By.TAG_NAME, "a").click()
    c.wait("entity page", lambda d: "wrote the first program" in c.text("#observations"))
    c.wait("neighbourhood graph", lambda d: "Analytical Engine" in c.text("#graph svg"))
    c.ok("entity page shows observations, relations and the graph")
    c.shot("memory-entity")

    # 6. The agent page: definition, versions, a diff, a rollback.
    c.go("#/agent/report-writer")
    c.wait("definition", lambda d: 'version = "1.1.0"' in c.text("#definition pre"))
    c.wait("two versions", lambda d: len(d.find_elements(By.CSS_SELECTOR, "#versions tr[data-seq]")) >= 2)
    c.wait("diff choices", lambda d: len(Select(d.find_element(By.ID, "diff-from")).options) >= 2)
    d.find_element(By.ID, "diff-button").click()
    c.wait("diff shown", lambda d: '+ version = "1.1.0"' in c.text("#diff pre"))
    if '- version = "1.0.0"' not in c.text("#diff pre"):
        c.fail("version diff", c.text("#diff"))
    c.ok("diff between two versions")
    c.wait("logs", lambda d: "reload" in c.text("#logs"))
    Select(d.find_element(By.ID, "log-level")).select_by_value("error")
    c.wait("log level filter", lambda d: "No log lines at this level" in c.text("#logs"))
    Select(d.find_element(By.ID, "log-level")).select_by_value("")
    c.ok("logs with a level filter")
    c.shot("agent")
    seqs = [e.get_attribute("data-seq") for e in d.find_elements(By.CSS_SELECTOR, "#versions tr[data-seq]")]
    oldest = seqs[-1]
    btn = c.wait("rollback button", EC.element_to_be_clickable((By.ID, "rollback-" + oldest)))
    btn.click()
    c.wait("confirm dialog", EC.visibility_of_element_located((By.ID, "confirm-ok")))
    c.shot("agent-rollback-confirm", sizes=("desktop",))
    d.find_element(By.ID, "confirm-ok").click()
    c.wait("rolled back", lambda d: "Rolled back to 1.0.0" in c.text("#diff"))
    shown = json.loads(c.cli("agents", "show", "report-writer", "--json"))
    if shown.get("version") != "1.0.0":
        c.fail("rollback changes the deployed version", f"the CLI shows {shown.get('version')}")
    c.wait("page shows the rolled-back version", lambda d: "1.0.0" in c.text("#agent-cards"))
    c.ok("rollback from the agent page changes the deployed version", "CLI shows 1.0.0")

    # 7. Conversations: a message sent through the CLI appears live.
    c.go("#/conversations")
    c.wait("conversations page", EC.presence_of_element_located((By.ID, "conversations")))
    c.cli("message", "send", "--capability", "text-stats", "--content", "one two two")
    link = c.wait("conversation appears", EC.presence_of_element_located(
        (By.CSS_SELECTOR, "#conversations tr[data-conversation] a")))
    c.shot("conversations")
    link.click()
    c.wait("timeline", lambda d: "inform" in c.text("#timeline") and "request" in c.text("#timeline"))
    c.ok("conversation timeline shows the request and the reply")
    c.shot("conversation")
    print(f"DONE {len(c.shots)} screenshots", flush=True)


if __name__ == "__main__":
    main()
