#!/usr/bin/env python3
"""Drives the case desk (`casework serve`'s /desk/ pages) in headless Chromium, as its users would.

It starts `casework serve` on a fresh SQLite store with an auth file of two services (an operator's, which sets the
cases up through the API, and a portal's, which acts for the people it signs in), then:

- as a caseworker: signs in, finds the case on the work list (its time limit due this week), sees a submitted form waiting
  on its case page and accepts it, opens the case, takes two
  steps (one with a declared input), and sees the state, the timeline and the history change;
- as a manager: takes the step that ends the first time limit and starts the next, and sees both in the clock table;
- as a parent with full access: sees their child's timeline and details in plain words;
- as a parent with limited access: sees the timeline, but not the child's details, and is told what is withheld;
- documents: the caseworker sees each document of the case with a link for each section, read as an attachment; a
  parent with limited access sees section A of the draft plan, neither section K nor the advice report;
- with JavaScript turned off: reads a case page and the family page whole;
- on the case page: the keyboard reaches the skip link first, every control has a label, nothing needs a sideways
  scroll at phone width, and printing leaves the reading without the forms.

It fails on any message in the browser console (an error, a refused load, a blocked script) and on any check that
does not hold, and saves screenshots (the work list, the case page at desktop and phone width, the family pages).

    Tests/browser/check-desk.py [--casework PATH] [--screenshots DIR]

Without --casework it uses .build/debug/casework (building it with `swift build --product casework` when missing).
Needs chromium and chromedriver (Debian's chromium and chromium-driver) and Selenium (Debian's python3-selenium, or
installed with pip when missing).
"""
import argparse
import datetime
import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

try:
    from selenium import webdriver
except ImportError:
    # Debian's python3 takes python3-selenium from apt (as .ci/run installs it); another python3 takes it from PyPI.
    if subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "selenium"]).returncode != 0:
        sys.exit("error: no Selenium for this python3: apt-get install python3-selenium, or pip install selenium")
    from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

OPERATOR_TOKEN = "desk-check-operator-7f3a"
PORTAL_TOKEN = "desk-check-portal-19c2"
failures = []


def check(condition, message):
    if condition:
        print(f"ok: {message}")
    else:
        print(f"FAIL: {message}", file=sys.stderr)
        failures.append(message)


def api(base, method, path, body=None):
    """One API call as the operator's service; the answer's JSON."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": f"Bearer {OPERATOR_TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def add_document(base, case, kind, section, text):
    """Adds a version of a document as a caseworker, through the portal's token, as the API takes a file (through
    http.client, which sends `Casework-Attribute` once for each attribute)."""
    query = f"?section={section}" if section else ""
    connection = http.client.HTTPConnection(base.split("://")[1], timeout=60)
    connection.putrequest("POST", f"/v1/cases/{case}/documents/{kind}{query}")
    for name, value in [("Authorization", f"Bearer {PORTAL_TOKEN}"), ("Content-Type", "text/markdown"), ("Casework-Act-As", "caseworker:amy"),
                        ("Casework-Attribute", "relationship=caseworker"), ("Casework-Attribute", "second_factor_verified=true"),
                        ("Content-Length", str(len(text.encode())))]:
        connection.putheader(name, value)
    connection.endheaders(text.encode())
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 201:
        sys.exit(f"error: adding {kind} to {case} answered {response.status}: {body.decode()}")


def days_left(base, case, clock):
    """The days left on a case's time limit, as the API tells the operator."""
    return next(entry["days_left"] for entry in api(base, "GET", f"/v1/cases/{case}")["deadlines"] if entry["name"] == clock)


def days(count):
    return f"{count} day{'' if count == 1 else 's'}"


def start_server(casework, work):
    auth = os.path.join(work, "auth.yaml")
    with open(auth, "w") as file:
        file.write(f"""services:
  - name: desk-check
    token_sha256: {hashlib.sha256(OPERATOR_TOKEN.encode()).hexdigest()}
    acts_as: operator
  - name: portal
    token_sha256: {hashlib.sha256(PORTAL_TOKEN.encode()).hexdigest()}
    acts_for:
      roles: [parent, carer, caseworker, send_manager]
      attributes: [relationship, second_factor_verified]
""")
    server = subprocess.Popen(
        [casework, "serve", "--db", os.path.join(work, "cases.sqlite"), "--create", "--listen", "127.0.0.1:0", "--auth", auth,
         "--definitions", os.path.join(ROOT, "Workflows"), "--definitions", os.path.join(ROOT, "Policies")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = server.stdout.readline()
    if "listening on " not in line:
        server.kill()
        sys.exit(f"error: casework serve did not start: {line}{server.stdout.read()}")
    return server, line.strip().split("listening on ")[1]


def set_up_cases(base):
    """Three EHC needs assessments: c1 (Sam, parent jo with full access) whose 6-week decision falls due in 4 days,
    c2 (Alex, parent kim with limited access), c3, overdue, for the work list, and c4 gathering advice, its
    professional advice form submitted and waiting for acceptance."""
    today = datetime.date.today()

    def open_case(case, child, parent, days_ago):
        api(base, "POST", "/v1/cases", {
            "workflow": "ehcp-needs-assessment", "id": case,
            "fields": {"requested_on": (today - datetime.timedelta(days=days_ago)).isoformat(), "requested_by": "parent",
                       "child": {"first_name": child, "last_name": "Lee", "date_of_birth": "2015-01-01"}},
            "participants": {"parent": parent}})

    open_case("c1", "Sam", "jo", 38)
    open_case("c2", "Alex", "kim", 20)
    open_case("c3", "Robin", "lee", 45)
    api(base, "POST", "/v1/cases/c1/grants", {"to": "jo", "level": "full", "reason": "the child's parent"})
    api(base, "POST", "/v1/cases/c2/grants", {"to": "kim", "level": "limited", "reason": "court order: limited access"})
    for case in ["c1", "c2"]:
        add_document(base, case, "draft_plan", "A", "All about me: loves trains.\n")
        add_document(base, case, "draft_plan", "K", "Advice from the educational psychologist.\n")
        add_document(base, case, "advice_report", None, "<b>Speech and language</b> report.\n")
    open_case("c4", "Ari", "max", 60)
    for transition, values in [("acknowledge_request", {}), ("record_evidence", {"evidence_complete": True}),
                               ("agree_to_assess", {"assessment_decision_on": (today - datetime.timedelta(days=30)).isoformat(),
                                                    "advice_requested_on": (today - datetime.timedelta(days=29)).isoformat()})]:
        api(base, "POST", f"/v1/cases/c4/transitions/{transition}", {"input": values})
    api(base, "POST", "/v1/cases/c4/forms/professional-advice-1/submit", {"fields": {
        "advice_type": "educational", "met_child": True, "assessed_on": (today - datetime.timedelta(days=10)).isoformat(),
        "advice_giver": {"name": "Dr Rao"}}})
    return today


class Desk:
    """A headless Chromium on the desk, its console read after every page."""

    def __init__(self, base, screenshots, javascript=True):
        options = Options()
        options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or "chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                         "--window-size=1280,1000", "--no-first-run", "--disable-extensions"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        if not javascript:
            options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
        driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
        self.driver = webdriver.Chrome(options=options, service=Service(driver_path))
        self.driver.set_page_load_timeout(120)
        self.base = base
        self.screenshots = screenshots

    def console(self, where):
        messages = self.driver.get_log("browser")
        check(not messages, f"{where}: no console messages" + ("" if not messages else f": {messages}"))

    def open(self, path):
        self.driver.get(self.base + path)
        self.console(path)

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "main").text

    def sign_in(self, act_as, attributes, family=False):
        self.open("/desk/sign-in")
        self.driver.find_element(By.ID, "token").send_keys(PORTAL_TOKEN)
        self.driver.find_element(By.ID, "act_as").send_keys(act_as)
        self.driver.find_element(By.ID, "attributes").send_keys("\n".join(attributes))
        self.driver.find_element(By.ID, "desk-family" if family else "desk-work").click()
        self.submit(self.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        self.console(f"signed in as {act_as}")

    def sign_out(self):
        self.submit(self.driver.find_element(By.CSS_SELECTOR, "form.signout button"))
        self.console("signed out")
        check("Sign in to the case desk" in self.text(), "signing out leads back to the sign-in form")

    def fire(self, transition, values=None):
        form = self.driver.find_element(By.CSS_SELECTOR, f"form.step[action$='/transitions/{transition}']")
        for field, value in (values or {}).items():
            control = form.find_element(By.NAME, f"input.{field}")
            if control.tag_name == "select":
                Select(control).select_by_value(value)
            else:
                self.driver.execute_script("arguments[0].value = arguments[1]", control, value)
        self.submit(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        self.console(f"fired {transition}")

    def submit(self, button):
        """Clicks a form's button (or a link) and waits for the page it leads to."""
        # The old page is marked in its window object, which the page the click leads to does not have. Selenium's
        # staleness_of asked about the old page's element, and Chromium sometimes answered that query mid-navigation
        # with an inspector error instead of "stale": a check that failed at random.
        self.driver.execute_script("window.caseworkLeftPage = true")
        button.click()

        def arrived(driver):
            try:
                return driver.execute_script("return window.caseworkLeftPage === undefined && document.readyState === 'complete'")
            except WebDriverException:
                return False

        WebDriverWait(self.driver, 120).until(arrived)

    def clock(self, name):
        rows = self.driver.find_elements(By.CSS_SELECTOR, f"tr[data-clock='{name}']")
        return rows[0].text if rows else ""

    def fetch(self, href):
        """A desk link fetched with this browser's cookie, outside the browser (a download is not a page): status,
        headers and body."""
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in self.driver.get_cookies())
        request = urllib.request.Request(href if href.startswith("http") else self.base + href, headers={"Cookie": cookie})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def shot(self, name, width=1280):
        """A screenshot of the whole page at `width` CSS pixels (the window grown to the page's height)."""
        self.driver.set_window_size(width, 1000)
        chrome = 1000 - self.driver.execute_script("return window.innerHeight")
        height = self.driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
        self.driver.set_window_size(width, min(height, 4000) + chrome)
        self.driver.save_screenshot(os.path.join(self.screenshots, name))
        self.driver.set_window_size(1280, 1000)
        check(os.path.getsize(os.path.join(self.screenshots, name)) > 0, f"screenshot {name}")

    def read_by_keyboard_on_a_phone_and_in_print(self):
        """The page the browser is on: the first Tab reaches the skip link, which leads to the content; at phone
        width nothing needs a sideways scroll; printed, the forms and buttons are gone and the reading stays."""
        self.driver.get(self.driver.current_url.split("?")[0])
        ActionChains(self.driver).send_keys(Keys.TAB).perform()
        active = self.driver.switch_to.active_element
        check("skip" in (active.get_attribute("class") or ""), "the first Tab reaches the skip link")
        active.send_keys(Keys.ENTER)
        check(self.driver.switch_to.active_element.get_attribute("id") == "main", "the skip link moves the focus to the content")
        labelled = self.driver.execute_script(
            "return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))"
            ".every(function (control) { return control.labels && control.labels.length > 0; })")
        check(labelled, "every control has a label")
        self.driver.set_window_size(390, 1000)
        overflow = self.driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        check(overflow <= 0, f"at phone width nothing needs a sideways scroll ({overflow} px over)")
        self.driver.set_window_size(1280, 1000)
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        forms = [form.is_displayed() for form in self.driver.find_elements(By.CSS_SELECTOR, "form")]
        check(forms and not any(forms), "printed, the page has no forms")
        check(self.driver.find_element(By.ID, "clock-table").is_displayed() and "Timeline" in self.text(),
              "printed, the clocks and the timeline remain")
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        self.console("reading the case page by keyboard, on a phone and in print")

    def quit(self):
        self.driver.quit()


CASEWORKER = ["relationship=caseworker", "second_factor_verified=true"]
PARENT = ["relationship=parent", "second_factor_verified=true"]


def run(base, screenshots):
    set_up_cases(base)
    desk = Desk(base, screenshots)
    try:
        desk.open("/desk/")
        check("Sign in to the case desk" in desk.text(), "the desk asks a stranger to sign in first")

        desk.sign_in("caseworker:amy", CASEWORKER)
        left = days_left(base, "c1", "decide_whether_to_assess")
        due = desk.driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=due-this-week]").text
        check("c1" in due and f"{days(left)} left" in due, f"the work list shows c1's decision due this week, {days(left)} left")
        late = -days_left(base, "c3", "decide_whether_to_assess")
        overdue = desk.driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=overdue]").text
        check("c3" in overdue and f"overdue by {days(late)}" in overdue, f"the work list shows c3 overdue by {days(late)}")
        desk.shot("desk-worklist.png")
        desk.open("/desk/cases/c4")
        desk.console("case c4")
        waiting = desk.driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=case-forms-waiting]")
        check(waiting and "professional-advice-1" in waiting[0].text, "c4's page shows its submitted form waiting for acceptance")
        check(bool(desk.driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=case-forms-waiting] form[action$='/reject'] textarea")),
              "c4's page offers to return the form with the information required")
        desk.open("/desk/")
        desk.submit(desk.driver.find_element(By.CSS_SELECTOR, "form[action$='/c4/forms/professional-advice-1/accept'] button"))
        desk.console("accepted a form")
        check("Form professional-advice-1 accepted" in desk.text(), "a caseworker accepts c4's submitted form from the work list")
        check(not desk.driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=case-forms-waiting]"), "an accepted form waits no more on c4's page")
        form = api(base, "GET", "/v1/cases/c4")["forms"][0]
        check(form["status"] == "accepted", "the form is accepted in the case")
        desk.open("/desk/")

        desk.submit(desk.driver.find_element(By.LINK_TEXT, "c1"))
        desk.console("case c1")
        check(desk.driver.find_element(By.ID, "state").text.startswith("Request received"), "c1 is where it starts: Request received")
        check(f"{days(left)} left" in desk.clock("decide_whether_to_assess"), f"c1's clock shows {days(left)} left")
        blocked = desk.driver.find_element(By.CSS_SELECTOR, "details.blocked")
        blocked.find_element(By.TAG_NAME, "summary").click()
        check("case is in 'requested'" in blocked.text, "a step that cannot be taken says why in plain words")
        stages_before = len(desk.driver.find_elements(By.CSS_SELECTOR, "ol.stages li"))

        documents = desk.driver.find_element(By.CSS_SELECTOR, "section.documents")
        check("Draft EHC plan" in documents.text and "Advice report" in documents.text, "the case page lists the case's documents")
        check("caseworker:amy" in documents.text, "each document says who added it")
        section_k = documents.find_element(By.LINK_TEXT, "Read section K").get_attribute("href")
        status, headers, body = desk.fetch(section_k)
        check(status == 200 and body == b"Advice from the educational psychologist.\n", "a caseworker reads section K through the desk")
        check(headers["Content-Disposition"] == "attachment" and headers["X-Content-Type-Options"] == "nosniff"
              and headers["Content-Security-Policy"] == "sandbox", "a section is sent as an attachment, never sniffed, sandboxed")
        report = documents.find_element(By.CSS_SELECTOR, "li[data-document=advice_report] a").get_attribute("href")
        status, headers, body = desk.fetch(report)
        check(status == 200 and body.startswith(b"<b>Speech") and headers["Content-Type"] == "text/markdown",
              "the advice report is sent as the markdown it was stored as, not drawn as the desk's HTML")

        desk.fire("acknowledge_request")
        check("Done" in desk.text(), "acknowledging the request says it is done")
        check(desk.driver.find_element(By.ID, "state").text.startswith("Deciding whether to assess"), "c1 moved to Deciding whether to assess")
        stages_after = len(desk.driver.find_elements(By.CSS_SELECTOR, "ol.stages li"))
        check(stages_after == stages_before + 1, f"the timeline gained a stage ({stages_before} to {stages_after})")

        desk.fire("record_evidence", {"evidence_complete": "true"})
        check("Done" in desk.text(), "recording the evidence (a declared yes/no input) is done")
        history = desk.driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=history]").text
        check("record_evidence" in history, "the history lists the step taken")
        check(desk.driver.find_element(By.ID, "audit-result").text.startswith("Holds"), "the audit check holds")
        desk.sign_out()

        desk.sign_in("send_manager:pat", CASEWORKER)
        desk.open("/desk/cases/c1")
        today = datetime.date.today().isoformat()
        desk.fire("agree_to_assess", {"assessment_decision_on": today, "assessment_decision_sent_on": today, "advice_requested_on": today})
        check(desk.driver.find_element(By.ID, "state").text.startswith("Gathering advice"), "the manager's decision moved c1 to Gathering advice")
        check("met on" in desk.clock("decide_whether_to_assess"), "the 6-week clock is met")
        advice = days_left(base, "c1", "gather_advice")
        check(f"{days(advice)} left" in desk.clock("gather_advice"), f"the advice clock started, {days(advice)} left")
        desk.shot("desk-case.png")
        desk.shot("desk-case-phone.png", width=390)
        desk.read_by_keyboard_on_a_phone_and_in_print()
        desk.sign_out()

        desk.sign_in("parent:jo", PARENT, family=True)
        page = desk.text()
        check("Sam" in page, "a parent with full access sees their child's details")
        check("Gathering advice" in page and "Messages to you" in page, "a parent with full access follows the timeline in plain words")
        check("Alex" not in page and "Robin" not in page, "a parent sees no other child's case")
        check(not desk.driver.find_elements(By.CSS_SELECTOR, "form.step"), "a parent's page has no caseworker's steps")
        desk.shot("desk-family.png")
        desk.sign_out()

        desk.sign_in("parent:kim", PARENT, family=True)
        page = desk.text()
        check("Alex" not in page, "a parent with limited access does not see the child's details")
        check("Not shown to you" in page, "a parent with limited access is told what is withheld")
        check("Request received" in page, "a parent with limited access still follows where the case is")
        check("Sam" not in page, "a parent with limited access sees no other child's case")
        documents = desk.driver.find_element(By.CSS_SELECTOR, "section.documents")
        check("Draft EHC plan" in documents.text and documents.find_elements(By.LINK_TEXT, "Read section A"),
              "a parent with limited access sees the draft plan and may read section A")
        check(not documents.find_elements(By.LINK_TEXT, "Read section K") and "Section K: not shown to you" in documents.text,
              "a parent with limited access has no link to section K, and is told it is not shown")
        check("Advice report" not in page and "educational psychologist" not in page, "a parent with limited access sees no advice")
        section_a = documents.find_element(By.LINK_TEXT, "Read section A").get_attribute("href")
        status, _, body = desk.fetch(section_a)
        check(status == 200 and body == b"All about me: loves trains.\n", "a parent with limited access reads section A")
        status, _, body = desk.fetch(section_a.replace("section=A", "section=K"))
        check(status == 403 and b"educational psychologist" not in body, "section K asked for by its address is refused")
        desk.shot("desk-family-limited.png")
        desk.driver.get(base + "/desk/family/cases/c1")
        check("Sam" not in desk.text() and "cannot be shown" in desk.text(), "another child's case, asked for by its address, is refused")
        refusals = desk.driver.get_log("browser")
        check(all("status of 403" in entry["message"] for entry in refusals),
              f"the refusal logs only its own 403, as the API answers a case one may not see ({refusals})")
    finally:
        desk.quit()

    plain = Desk(base, screenshots, javascript=False)
    try:
        plain.sign_in("caseworker:amy", CASEWORKER)
        plain.open("/desk/cases/c1")
        page = plain.text()
        check("Gathering advice" in page and "days left" in page and "Timeline" in page, "without JavaScript the case page reads whole")
        plain.sign_out()
        plain.sign_in("parent:jo", PARENT, family=True)
        check("Sam" in plain.text() and "Timeline" in plain.text(), "without JavaScript the family page reads whole")
    finally:
        plain.quit()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--casework", default=os.path.join(ROOT, ".build", "debug", "casework"))
    parser.add_argument("--screenshots")
    arguments = parser.parse_args()
    if not os.path.exists(arguments.casework):
        subprocess.run(["swift", "build", "--package-path", ROOT, "--product", "casework"], check=True)
    work = tempfile.mkdtemp(prefix="casework-desk-")
    screenshots = arguments.screenshots or tempfile.mkdtemp(prefix="casework-desk-screenshots-")
    os.makedirs(screenshots, exist_ok=True)
    server, base = start_server(arguments.casework, work)
    try:
        run(base, screenshots)
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)
    print(f"screenshots in {screenshots}")
    if failures:
        print(f"{len(failures)} failure(s)", file=sys.stderr)
        sys.exit(1)
    print("desk checked in chromium")


if __name__ == "__main__":
    main()
