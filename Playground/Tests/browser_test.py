#!/usr/bin/env python3
"""The playground in a real browser: headless Chromium driven by Selenium.

Starts `laurel playground` on a copy of rules/, then, as a product person
would: opens the page; misspells a key and finds the marker at its line and
column; changes post_liked from 1 to 2 in the form and checks the YAML (the
comment kept) and the diff against `laurel diff --format json`; uploads a
history with a malformed line; inspects a member; saves and checks the file
on disk. Then measures the edit-to-diff latency on a generated history of
--large actions. Screenshots of each step go to --screenshots.

Run by Tests/LaurelPlaygroundTests/BrowserTests.swift (swift test), or by hand:
  python3 Playground/Tests/browser_test.py --laurel .build/release/laurel --screenshots /tmp/shots
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def log(message):
    print(f"browser: {message}", flush=True)


def generate_history(path, actions, seed=20):
    """A community-points history: posts, comments, likes, unlikes, lessons."""
    rng = random.Random(seed)
    types = ["post_created"] * 10 + ["comment_added"] * 15 + ["post_liked"] * 40 + ["comment_liked"] * 20 \
        + ["post_unliked"] * 5 + ["lesson_completed"] * 10
    start = 1767225600  # 2026-01-01
    with open(path, "w") as out:
        for i in range(actions):
            at = start + i * 30
            kind = rng.choice(types)
            community = f"c{rng.randrange(20)}"
            user = f"u{rng.randrange(3000)}"
            author = f"u{rng.randrange(3000)}"
            event = {"id": f"g{i}", "type": kind, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at)),
                     "user": user, "community": community, "author": author if "liked" in kind else user,
                     "post": f"p{rng.randrange(20000)}", "lesson": f"l{rng.randrange(50)}"}
            out.write(json.dumps(event, separators=(",", ":")) + "\n")


class Page:
    def __init__(self, driver, shots):
        self.driver = driver
        self.shots = shots
        self.step = 0

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, condition, what, timeout=60):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(lambda d: condition())
        except Exception:
            self.shot("failed")
            status = self.js("return document.getElementById('status').textContent")
            raise AssertionError(f"timed out waiting for {what} (status: {status!r})")

    def shot(self, name):
        self.step += 1
        path = os.path.join(self.shots, f"{self.step:02d}-{name}.png")
        self.driver.save_screenshot(path)
        log(f"screenshot {path}")

    def text(self):
        return self.js("return document.querySelector('.CodeMirror').CodeMirror.getValue()")

    def tab(self, name):
        self.driver.find_element(By.CSS_SELECTOR, f"[role=tab][data-tab={name}]").click()

    def diff_version(self):
        return int(self.js("return Number(document.body.dataset.diffVersion || 0)"))

    def set_field(self, field_id, value):
        field = self.driver.find_element(By.CSS_SELECTOR, f'input[data-id="{field_id}"]')
        field.click()
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(str(value))
        field.send_keys(Keys.ENTER)


def start_playground(laurel, rules, events, port=0):
    process = subprocess.Popen(
        [laurel, "playground", "--rules", rules, "--events", events, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = process.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        process.kill()
        raise AssertionError(f"laurel playground printed {url!r}: {process.stderr.read()}")
    return process, url


def chromium(shots):
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1440,900", "--force-device-scale-factor=1"]:
        options.add_argument(argument)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(service=service, options=options)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--laurel", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--large", type=int, default=100_000, help="actions in the latency history (0: skip)")
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    work = tempfile.mkdtemp(prefix="laurel-browser-")
    rules = os.path.join(work, "rules")
    shutil.copytree(os.path.join(ROOT, "rules"), rules)
    rule_file = os.path.join(rules, "community-points.yaml")
    with open(rule_file) as f:
        original = f.read()
    events = os.path.join(rules, "examples", "community-history.jsonl")
    process, url = start_playground(args.laurel, rules, events)
    driver = chromium(args.screenshots)
    page = Page(driver, args.screenshots)
    try:
        # 1. Open the page: the community scheme, valid, a diff with no changes.
        driver.get(url)
        page.wait(lambda: page.js("return document.getElementById('status').className") == "ok", "the page to load")
        assert page.js("return document.getElementById('file').value") == "community-points.yaml"
        page.wait(lambda: page.diff_version() >= 1, "the first diff")
        assert "token=" not in driver.current_url, "the token stays out of the address bar"
        page.shot("open")

        # 2. Misspell a key by typing into the editor: a marker at its line and column.
        line = next(i for i, text in enumerate(original.split("\n")) if text.strip().startswith("floor: 0"))
        page.js("const cm = document.querySelector('.CodeMirror').CodeMirror; cm.focus();"
                "cm.setCursor({line: arguments[0], ch: 8});", line)
        ActionChains(driver).send_keys("o").perform()
        page.wait(lambda: page.js("return document.querySelectorAll('.problem-item').length") > 0, "a problem")
        item = driver.find_element(By.CSS_SELECTOR, ".problem-item")
        assert item.get_attribute("data-line") == str(line + 1), item.get_attribute("data-line")
        assert item.get_attribute("data-column") == "5", item.get_attribute("data-column")
        assert "did you mean 'floor'" in item.text, item.text
        assert f"community-points.yaml:{line + 1}:5" in item.text, item.text
        marked = driver.find_element(By.CSS_SELECTOR, ".CodeMirror .problem.error")
        assert marked.text == "flooor", marked.text
        assert "unknown key 'flooor'" in marked.get_attribute("title")
        page.shot("misspelt-key")
        ActionChains(driver).key_down(Keys.CONTROL).send_keys("z").key_up(Keys.CONTROL).perform()
        page.wait(lambda: page.js("return document.querySelectorAll('.problem-item').length") == 0, "the problem to clear")
        assert page.text() == original

        # 2b. Completion (Ctrl-Space) and hover help come from the rules schema.
        page.js("const cm = document.querySelector('.CodeMirror').CodeMirror; cm.focus();"
                "cm.setCursor({line: arguments[0], ch: 1000});", line)
        ActionChains(driver).send_keys(Keys.ENTER).key_down(Keys.CONTROL).send_keys(Keys.SPACE).key_up(Keys.CONTROL).perform()
        page.wait(lambda: len(driver.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li")) > 0, "completions")
        hints = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li")]
        assert "start" in hints and "floor" in hints, hints
        page.shot("completion")
        ActionChains(driver).send_keys(Keys.ESCAPE).key_down(Keys.CONTROL).send_keys("z").key_up(Keys.CONTROL).perform()
        page.wait(lambda: page.text() == original, "the newline to be undone")
        key = next(e for e in driver.find_elements(By.CSS_SELECTOR, ".CodeMirror-line span") if e.text.strip() == "floor")
        ActionChains(driver).move_to_element(key).perform()
        page.wait(lambda: "Lowest the balance can go" in page.js("return document.getElementById('tooltip').textContent"),
                  "hover help")

        # 3. post_liked 1 -> 2 in the form: one scalar, comment kept, diff = laurel diff.
        before = page.diff_version()
        page.set_field("actions.post_liked[0].award.points", 2)
        page.wait(lambda: page.diff_version() > before and "award: { points: 2 }" in page.text(), "the diff after the edit")
        edited = page.text()
        changed = [(a, b) for a, b in zip(original.split("\n"), edited.split("\n")) if a != b]
        assert changed == [("    - award: { points: 1 }", "    - award: { points: 2 }")], changed
        assert "to: event.author            # likes pay the content's author, not the liker" in edited
        edited_file = os.path.join(work, "edited.yaml")
        with open(edited_file, "w") as f:
            f.write(edited)
        cli = json.loads(subprocess.run(
            [args.laurel, "diff", "--from", rule_file, "--to", edited_file, "--events", events, "--format", "json"],
            check=True, capture_output=True, text=True).stdout)
        shown = page.js("return window.laurel.lastDiff.summary.members_changed")
        assert shown == cli["summary"]["members_changed"] > 0, (shown, cli["summary"])
        page.shot("point-value-form")
        page.tab("compare")
        card = driver.find_element(By.CSS_SELECTOR, "#members-changed strong").text.replace(",", "")
        assert card == str(shown), card
        page.shot("compare")
        log(f"post_liked 1 -> 2: {shown} members changed (laurel diff: {cli['summary']['members_changed']}); "
            f"edit to diff {page.js('return window.laurel.diffLatencyMs')} ms on {cli['events']['read']} actions")

        # 4. Inspect a member: the ledger under both rule sets.
        driver.find_element(By.CSS_SELECTOR, "#compare-table tr.member-row").click()
        page.wait(lambda: "After (editor)" in driver.find_element(By.ID, "inspector-body").text, "the inspector")
        page.wait(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#inspector-body .ledger tbody tr")) > 0, "ledgers")
        body = driver.find_element(By.ID, "inspector-body").text
        assert "post_liked" in body and "+2 points" in body and "+1 points" in body, body[:500]
        page.shot("member-inspector")
        ActionChains(driver).send_keys(Keys.ESCAPE).perform()
        page.wait(lambda: not page.js("return document.getElementById('inspector').open"), "the inspector to close")

        # 5. Upload a history with a malformed third line.
        upload = os.path.join(work, "uploaded.jsonl")
        with open(upload, "w") as f:
            f.write('{"id":"x1","type":"post_created","at":"2026-02-01T00:00:00Z","user":"ann","community":"c1","author":"ann","post":"p1"}\n')
            f.write('{"id":"x2","type":"post_liked","at":"2026-02-01T00:01:00Z","user":"bob","community":"c1","author":"ann","post":"p1"}\n')
            f.write('{"id":"x3","type":"post_liked","at":"yesterday","user":"bob","community":"c1","author":"ann"}\n')
        page.tab("history")
        before = page.diff_version()
        driver.find_element(By.ID, "upload").send_keys(upload)
        page.wait(lambda: "Uploaded" in driver.find_element(By.ID, "upload-status").text, "the upload")
        page.wait(lambda: page.diff_version() > before, "the replay of the upload")
        page.wait(lambda: "line 3" in driver.find_element(By.ID, "rejections").text, "the malformed line")
        counts = driver.find_element(By.ID, "history-counts").text
        assert counts.startswith("3 read · 2 applied"), counts
        assert page.js("return document.getElementById('history').selectedOptions[0].textContent").startswith("uploaded.jsonl")
        page.shot("uploaded-history")

        # 6. Save: confirm, then the file on disk validates and differs by one scalar.
        driver.find_element(By.ID, "save").click()
        page.wait(lambda: page.js("return document.getElementById('confirm-save').open"), "the confirmation")
        page.shot("confirm-save")
        driver.find_element(By.ID, "confirm-ok").click()
        page.wait(lambda: page.js("return document.body.dataset.saved") == "community-points.yaml", "the save")
        with open(rule_file) as f:
            saved = f.read()
        assert saved == edited
        changed = [(a, b) for a, b in zip(original.split("\n"), saved.split("\n")) if a != b]
        assert len(changed) == 1 and changed[0][0].replace("1", "2") == changed[0][1], changed
        subprocess.run([args.laurel, "validate", rule_file], check=True, capture_output=True)
        page.shot("saved")

        # 7. Edit-to-diff latency on a large history.
        if args.large:
            large = os.path.join(work, "large.jsonl")
            generate_history(large, args.large)
            page.tab("history")
            before = page.diff_version()
            driver.find_element(By.ID, "upload").send_keys(large)
            page.wait(lambda: page.diff_version() > before, "the large history's diff", timeout=600)
            page.tab("form")
            samples = []
            for value in [3, 4, 5]:
                before = page.diff_version()
                page.set_field("actions.post_liked[0].award.points", value)
                page.wait(lambda: page.diff_version() > before, f"the diff for post_liked = {value}", timeout=600)
                samples.append(page.js("return window.laurel.diffLatencyMs"))
            read = page.js("return window.laurel.lastDiff.counts.read")
            page.tab("compare")
            page.shot("large-history-diff")
            log(f"edit-to-diff latency on {read} actions: {samples} ms (median {sorted(samples)[1]} ms)")
        log("all steps passed")
    finally:
        driver.quit()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
