// The rule builder: conditions and actions chosen from the lists the server describes (#rule-vocabulary).
// It reads and writes the rule's JSON in the definition text area, which stays the one thing the form
// posts, so the server validates a built rule exactly as a typed one.
(function () {
  "use strict";

  var root = document.getElementById("rule-builder");
  var source = document.getElementById("id_definition");
  var described = document.getElementById("rule-vocabulary");
  if (!root || !source || !described) return;
  var vocabulary = JSON.parse(described.textContent);
  // The page hands over the builder's words in the agent's language (#rule-builder-words).
  var W = JSON.parse(document.getElementById("rule-builder-words").textContent);
  var kind = root.dataset.kind;
  var NO_VALUE = ["is_set", "is_not_set"];
  var MANY_VALUES = ["in", "not_in"];
  var NUMBER_OPS = ["gt", "gte", "lt", "lte"];

  function make(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (name === "text") node.textContent = attributes[name];
      else node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function select(label, options, chosen, multiple) {
    var box = make("select", { "aria-label": label });
    if (multiple) box.multiple = true;
    options.forEach(function (option) {
      var value = JSON.stringify(option.value);
      var item = make("option", { value: value, text: option.label });
      var picked = multiple ? (chosen || []).some(function (c) { return JSON.stringify(c) === value; }) : JSON.stringify(chosen) === value;
      if (picked) item.selected = true;
      box.appendChild(item);
    });
    return box;
  }

  function chosenValues(box) {
    return Array.prototype.filter.call(box.options, function (o) { return o.selected; }).map(function (o) { return JSON.parse(o.value); });
  }

  function labelled(text, control) {
    return make("label", {}, [document.createTextNode(text), control]);
  }

  function button(text, onClick) {
    var b = make("button", { type: "button", "class": "button", text: text });
    b.addEventListener("click", function () { onClick(); refresh(); });
    return b;
  }

  // --- reading the JSON -------------------------------------------------------------------------------

  function fieldOf(name) {
    for (var i = 0; i < vocabulary.fields.length; i++) if (vocabulary.fields[i].name === name) return vocabulary.fields[i];
    for (var j = 0; j < vocabulary.prefixes.length; j++) {
      var prefix = vocabulary.prefixes[j];
      if (name.indexOf(prefix.prefix) === 0) {
        return { name: prefix.prefix, label: prefix.label, ops: prefix.ops, choices: [], key: name.slice(prefix.prefix.length) };
      }
    }
    return null;
  }

  function actionOf(type) {
    for (var i = 0; i < vocabulary.actions.length; i++) if (vocabulary.actions[i].type === type) return vocabulary.actions[i];
    return null;
  }

  // Return why the builder cannot show `rule` (then the JSON view is the way to edit it), or "".
  function unsupported(rule) {
    if (typeof rule !== "object" || rule === null || Array.isArray(rule)) return W.notRule;
    var nested = (rule.conditions || []).some(function (c) { return !("field" in c); });
    if (nested) return W.nested;
    var unknownField = (rule.conditions || []).filter(function (c) { return !fieldOf(c.field); })[0];
    if (unknownField) return W.unknownField.replace("{field}", unknownField.field);
    var unknownAction = (rule.actions || []).filter(function (a) { return !actionOf(a.type); })[0];
    if (unknownAction) return W.unknownAction.replace("{action}", unknownAction.type);
    return "";
  }

  // --- the form ------------------------------------------------------------------------------------------

  var state = null;

  function read() {
    var rule;
    try { rule = JSON.parse(source.value || "{}"); } catch (e) { return W.unparsable; }
    var problem = unsupported(rule);
    if (problem) return problem;
    state = {
      events: rule.events || [],
      after: rule.after || { since: vocabulary.since[0].value, hours: 24 },
      match: rule.match || "all",
      conditions: (rule.conditions || []).map(function (c) { return { field: c.field, op: c.op, value: c.value }; }),
      actions: (rule.actions || []).map(function (a) { return Object.assign({}, a); }),
    };
    return "";
  }

  // Draw the builder from the JSON in the text area (on load, and after the JSON view was edited).
  function load() {
    root.innerHTML = "";
    var problem = read();
    if (problem) {
      root.appendChild(make("p", { "class": "builder-notice", role: "status", text: problem }));
      var retry = make("button", { type: "button", "class": "button", text: W.showAgain });
      retry.addEventListener("click", load);
      root.appendChild(retry);
      return;
    }
    render();
  }

  function render() {
    root.innerHTML = "";
    root.appendChild(kind === "trigger" ? eventsPart() : afterPart());
    root.appendChild(conditionsPart());
    root.appendChild(actionsPart());
  }

  function eventsPart() {
    var list = make("div", { "class": "events" });
    vocabulary.events.forEach(function (name) {
      var box = make("input", { type: "checkbox", value: name });
      box.checked = state.events.indexOf(name) >= 0;
      box.addEventListener("change", function () {
        state.events = vocabulary.events.filter(function (e) { return e === name ? box.checked : state.events.indexOf(e) >= 0; });
        write();
      });
      list.appendChild(make("label", { "class": "check" }, [box, document.createTextNode(" " + name)]));
    });
    return make("fieldset", {}, [make("legend", { text: W.whenEvents }), list]);
  }

  function afterPart() {
    var hours = make("input", { type: "number", min: "0.1", step: "any", value: state.after.hours, "aria-label": W.hours });
    hours.addEventListener("input", function () { state.after.hours = Number(hours.value); write(); });
    var since = select(W.since, vocabulary.since, state.after.since);
    since.addEventListener("change", function () { state.after.since = chosenValues(since)[0]; write(); });
    return make("fieldset", {}, [make("legend", { text: W.whenElapsed }),
      make("div", { "class": "builder-row" }, [hours, document.createTextNode(W.hoursSince), since])]);
  }

  function conditionsPart() {
    var match = select(W.match, [{ value: "all", label: W.allHold }, { value: "any", label: W.anyHolds }], state.match);
    match.addEventListener("change", function () { state.match = chosenValues(match)[0]; write(); });
    var part = make("fieldset", {}, [make("legend", { text: W.if }), labelled(W.actWhen, match)]);
    state.conditions.forEach(function (condition, index) { part.appendChild(conditionRow(condition, index)); });
    if (!state.conditions.length) part.appendChild(make("p", { "class": "muted", text: W.noConditions }));
    part.appendChild(button(W.addCondition, function () {
      var first = vocabulary.fields[0];
      state.conditions.push({ field: first.name, op: first.ops[0], value: first.choices.length ? first.choices[0] : "" });
    }));
    return part;
  }

  function conditionRow(condition, index) {
    var spec = fieldOf(condition.field);
    var fieldChoices = vocabulary.fields.map(function (f) { return { value: f.name, label: f.label }; })
      .concat(vocabulary.prefixes.map(function (p) { return { value: p.prefix, label: p.label + "…" }; }));
    var field = select(W.field, fieldChoices, spec.key !== undefined ? spec.name : condition.field);
    field.addEventListener("change", function () {
      var picked = chosenValues(field)[0];
      var next = fieldOf(picked);
      condition.field = picked;
      condition.op = next.ops[0];
      condition.value = next.choices && next.choices.length ? next.choices[0] : "";
      refresh();
    });
    var row = make("div", { "class": "builder-row", "data-condition": index }, [field]);
    if (spec.key !== undefined) {
      var key = make("input", { type: "text", value: spec.key || "", placeholder: W.keyPlaceholder, "aria-label": W.key });
      key.addEventListener("input", function () { condition.field = spec.name + key.value.trim(); write(); });
      row.appendChild(key);
    }
    var op = select(W.operator, spec.ops.map(function (o) { return { value: o, label: vocabulary.ops[o] }; }), condition.op);
    op.addEventListener("change", function () {
      condition.op = chosenValues(op)[0];
      if (NO_VALUE.indexOf(condition.op) >= 0) delete condition.value;
      else if (MANY_VALUES.indexOf(condition.op) >= 0 && !Array.isArray(condition.value)) condition.value = condition.value === undefined || condition.value === "" ? [] : [condition.value];
      else if (MANY_VALUES.indexOf(condition.op) < 0 && Array.isArray(condition.value)) condition.value = condition.value[0] === undefined ? "" : condition.value[0];
      refresh();
    });
    row.appendChild(op);
    if (NO_VALUE.indexOf(condition.op) < 0) row.appendChild(valueInput(condition, spec));
    row.appendChild(button(W.remove, function () { state.conditions.splice(index, 1); }));
    return row;
  }

  function valueInput(condition, spec) {
    var many = MANY_VALUES.indexOf(condition.op) >= 0;
    if (spec.choices && spec.choices.length) {
      var choices = select(W.value, spec.choices.map(function (c) { return { value: c, label: String(c) }; }), condition.value, many);
      choices.addEventListener("change", function () {
        var picked = chosenValues(choices);
        condition.value = many ? picked : picked[0];
        write();
      });
      return choices;
    }
    var numeric = NUMBER_OPS.indexOf(condition.op) >= 0 || spec.ops.indexOf("gt") >= 0 && spec.ops.indexOf("contains") < 0;
    var shown = many ? (condition.value || []).join(", ") : (condition.value === undefined ? "" : condition.value);
    var input = make("input", { type: "text", value: shown, "aria-label": W.value, placeholder: many ? W.manyValues : "" });
    input.addEventListener("input", function () {
      var typed = many ? input.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean) : input.value;
      var asNumber = function (v) { return v !== "" && !isNaN(Number(v)) ? Number(v) : v; };
      condition.value = numeric ? (many ? typed.map(asNumber) : asNumber(typed)) : typed;
      write();
    });
    return input;
  }

  function actionsPart() {
    var part = make("fieldset", {}, [make("legend", { text: W.then })]);
    state.actions.forEach(function (action, index) { part.appendChild(actionRow(action, index)); });
    var kinds = vocabulary.actions.map(function (a) { return { value: a.type, label: a.label }; });
    var adding = select(W.newAction, kinds, kinds[0].value);
    part.appendChild(make("div", { "class": "builder-row" }, [adding, button(W.addAction, function () {
      var type = chosenValues(adding)[0];
      var added = { type: type };
      actionOf(type).parameters.forEach(function (p) { if (p.empty === "null") added[p.name] = null; });
      state.actions.push(added);
    })]));
    return part;
  }

  function actionRow(action, index) {
    var spec = actionOf(action.type);
    var params = make("div", { "class": "builder-params" });
    spec.parameters.forEach(function (parameter) { params.appendChild(parameterInput(action, parameter)); });
    return make("div", { "class": "stack", "data-action": index }, [
      make("div", { "class": "builder-row" }, [make("strong", { text: (index + 1) + ". " + spec.label }),
        button(W.remove, function () { state.actions.splice(index, 1); })]),
      params]);
  }

  function parameterInput(action, parameter) {
    var current = action[parameter.name];
    var control;
    var store = function (value) {
      var empty = value === "" || value === null || (Array.isArray(value) && !value.length);
      if (empty && parameter.empty === "omit") delete action[parameter.name];
      else if (empty && parameter.empty === "null") action[parameter.name] = null;
      else action[parameter.name] = value;
      write();
    };
    if (parameter.kind === "choice" || parameter.kind === "multi") {
      var options = parameter.names ? vocabulary.names[parameter.names] : parameter.choices.map(function (c) { return { value: c, label: c }; });
      if (parameter.kind === "choice") {
        var none = parameter.empty === "null" ? W.nobody : W.choose;
        options = [{ value: null, label: none }].concat(options);
      }
      control = select(parameter.label, options, current === undefined ? null : current, parameter.kind === "multi");
      control.addEventListener("change", function () {
        var picked = chosenValues(control);
        store(parameter.kind === "multi" ? picked : picked[0]);
      });
    } else if (parameter.kind === "list") {
      control = make("input", { type: "text", value: (current || []).join(", "), placeholder: W.listValues, "aria-label": parameter.label });
      control.addEventListener("input", function () {
        store(control.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean));
      });
    } else if (parameter.kind === "number") {
      control = make("input", { type: "number", value: current === undefined ? "" : current, "aria-label": parameter.label });
      if (parameter.min !== null) control.min = parameter.min;
      if (parameter.max !== null) control.max = parameter.max;
      control.addEventListener("input", function () { store(control.value === "" ? "" : Number(control.value)); });
    } else {
      control = make(parameter.kind === "longtext" ? "textarea" : "input", { "aria-label": parameter.label });
      if (parameter.kind === "longtext") control.rows = 2; else control.type = "text";
      control.value = current === undefined || current === null ? "" : current;
      control.addEventListener("input", function () { store(control.value); });
    }
    return labelled(parameter.label + " ", control);
  }

  function refresh() {
    write();
    render();
  }

  function write() {
    var rule = kind === "trigger" ? { events: state.events } : { after: state.after };
    rule.match = state.match;
    rule.conditions = state.conditions;
    rule.actions = state.actions;
    source.value = JSON.stringify(rule, null, 2);
  }

  // Edits in the JSON view come back into the builder when they leave the text area.
  source.addEventListener("change", load);
  load();
})();
