"""find_unsafe_code: every piece of Python in a diagram is checked, and hostile XML is never expanded."""
from __future__ import annotations

import time

from engine.sandbox import find_unsafe_code

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    id="defs" targetNamespace="http://ticketflow.test">"""

UNSAFE_DIAGRAM = HEADER + """
  <bpmn:process id="complaint" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="prepare" name="Prepare ticket">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>total = amount + 1
import os
os.system("id")</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="route" name="Route?" default="f_default">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f_big</bpmn:outgoing><bpmn:outgoing>f_default</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare"/>
    <bpmn:sequenceFlow id="f2" sourceRef="prepare" targetRef="route"/>
    <bpmn:sequenceFlow id="f_big" name="Big amount" sourceRef="route" targetRef="handle">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">().__class__.__bases__[0]</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_default" sourceRef="route" targetRef="handle"/>
    <bpmn:userTask id="handle" name="Handle">
      <bpmn:incoming>f_big</bpmn:incoming><bpmn:incoming>f_default</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="sla" name="SLA breached" attachedToRef="handle">
      <bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:timerEventDefinition id="sla_timer">
        <bpmn:timeDuration>open("/etc/passwd").read()</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="late"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="handle" targetRef="end"/>
    <bpmn:sequenceFlow id="f4" sourceRef="sla" targetRef="late"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_unsafe_script_condition_and_timer_are_reported_on_their_flow_elements():
    problems = find_unsafe_code(UNSAFE_DIAGRAM)
    by_id = {p["element_id"]: p for p in problems}
    assert set(by_id) == {"prepare", "f_big", "sla"}
    assert by_id["prepare"]["element_name"] == "Prepare ticket"
    assert "imports are not allowed (line 2: import os)" in by_id["prepare"]["message"]
    assert by_id["f_big"]["element_name"] == "Big amount"
    assert "__class__" in by_id["f_big"]["message"]
    assert by_id["sla"]["element_name"] == "SLA breached"
    assert "calling open() is not allowed" in by_id["sla"]["message"]


def test_bytes_and_str_documents_give_the_same_answer():
    assert find_unsafe_code(UNSAFE_DIAGRAM.encode("utf-8")) == find_unsafe_code(UNSAFE_DIAGRAM)


def test_safe_diagram_has_no_problems():
    safe = (
        UNSAFE_DIAGRAM.replace('import os\nos.system("id")', 'label = f"#{amount}"')
        .replace("().__class__.__bases__[0]", "total &gt; 100")
        .replace('open("/etc/passwd").read()', '"PT45M"')
    )
    assert find_unsafe_code(safe) == []


def test_multi_instance_loop_and_camunda_scripts_are_checked_too():
    diagram = HEADER + """
  <bpmn:process id="calls" isExecutable="true">
    <bpmn:subProcess id="call_round" name="Call round">
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopCardinality>__import__("os")</bpmn:loopCardinality>
        <bpmn:completionCondition>len(answered) &gt; 0</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics>
      <bpmn:task id="dial" name="Dial">
        <bpmn:extensionElements>
          <camunda:inputOutput>
            <camunda:inputParameter name="n"><camunda:script scriptFormat="python">exec("1")</camunda:script></camunda:inputParameter>
          </camunda:inputOutput>
        </bpmn:extensionElements>
      </bpmn:task>
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>"""
    problems = find_unsafe_code(diagram)
    assert [(p["element_id"], p["element_name"]) for p in problems] == [
        ("call_round", "Call round"),
        ("dial", "Dial"),
    ]
    assert "__import__" in problems[0]["message"] and "exec()" in problems[1]["message"]


def test_script_with_a_syntax_error_is_reported():
    diagram = UNSAFE_DIAGRAM.replace('import os\nos.system("id")', "x = (")
    messages = [p["message"] for p in find_unsafe_code(diagram) if p["element_id"] == "prepare"]
    assert messages and "syntax error" in messages[0]


def test_external_entity_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER import os")
    for target in (f"file://{secret}", "file:///etc/passwd"):
        diagram = HEADER.replace(
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "{target}">]>',
        ) + """
  <bpmn:process id="p"><bpmn:scriptTask id="s" name="S"><bpmn:script>x = "&xxe;"</bpmn:script></bpmn:scriptTask></bpmn:process>
</bpmn:definitions>"""
        problems = find_unsafe_code(diagram)
        assert len(problems) == 1
        assert "DOCTYPE" in problems[0]["message"]
        assert "TOP-SECRET-MARKER" not in str(problems) and "root:" not in str(problems)


def test_billion_laughs_is_refused_without_expanding():
    lol = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ]
    diagram = (
        '<?xml version="1.0"?>\n<!DOCTYPE bpmn:definitions [' + "".join(lol) + "]>\n"
        + HEADER.split("\n", 1)[1]
        + '<bpmn:process id="p"><bpmn:scriptTask id="s"><bpmn:script>x = "&lol9;"</bpmn:script>'
        + "</bpmn:scriptTask></bpmn:process></bpmn:definitions>"
    )
    started = time.perf_counter()
    problems = find_unsafe_code(diagram)
    assert time.perf_counter() - started < 1.0
    assert len(problems) == 1 and "DOCTYPE" in problems[0]["message"]


def test_remote_dtd_is_not_fetched():
    diagram = '<?xml version="1.0"?>\n<!DOCTYPE x SYSTEM "http://192.0.2.1/evil.dtd">\n' + HEADER.split("\n", 1)[1] + "</bpmn:definitions>"
    started = time.perf_counter()
    problems = find_unsafe_code(diagram)
    assert time.perf_counter() - started < 1.0
    assert "DOCTYPE" in problems[0]["message"]


def test_malformed_xml_is_a_problem_not_a_crash():
    problems = find_unsafe_code(b"<bpmn:definitions")
    assert len(problems) == 1
    assert problems[0]["element_id"] == ""
    assert "not well-formed XML" in problems[0]["message"]
