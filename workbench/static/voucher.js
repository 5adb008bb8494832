/* 联账 voucher entry: live debit/credit totals, 大写 as you type, keyboard-only entry, the
   account picker (code, name or pinyin initials; ↑↓ and Enter), and a balance check before
   submitting. The picker never replaces a code that was typed: Enter or Tab on a code keeps it
   when it is an open account, and otherwise stays in the cell saying why (a parent with
   sub-accounts lists them to choose from, with ↑↓; an unknown code links to the 科目 page); a
   name or pinyin initials take the highlighted account, as does a choice made with ↑↓. Amounts are summed in whole fen (integers), never in floating point.
   A line's 摘要 (input.memo) is not in the Enter sequence: left empty it is the voucher's (its
   placeholder follows the 摘要 typed), Tab or a click reaches it, Enter there goes on to the
   line's account. The 凭证号 the voucher would take (#voucher-number) is asked again of the
   server as the date, the accounts and their sides change, with the 凭证字 to choose where the
   lines allow two. Also: any [data-print] button prints the page; a [data-autosubmit] select sends its form when
   changed (no inline handlers: the Content-Security-Policy allows no inline script). Served by
   the app; loads nothing else. */
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });

  var form = document.getElementById("voucher-form");
  if (!form) { return; }
  var body = form.querySelector("#lines tbody");

  // -- amounts ----------------------------------------------------------------------------
  /* "1,234.5" → 123450 fen; null when not an amount */
  function toFen(text) {
    var t = String(text || "").replace(/[,，¥\s]/g, "");
    if (t === "") { return 0; }
    var m = /^(\d{1,13})(?:\.(\d{0,2}))?$/.exec(t);
    if (!m) { return null; }
    var frac = (m[2] || "").padEnd(2, "0");
    return parseInt(m[1], 10) * 100 + parseInt(frac || "0", 10);
  }
  function yuan(fen) {
    var sign = fen < 0 ? "-" : "";
    fen = Math.abs(fen);
    var whole = Math.floor(fen / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return sign + "¥" + whole + "." + String(fen % 100).padStart(2, "0");
  }
  var DIGITS = "零壹贰叁肆伍陆柒捌玖", UNITS = ["", "拾", "佰", "仟"];
  function belowWan(n) {
    var out = "", zero = false;
    for (var p = 3; p >= 0; p--) {
      var d = Math.floor(n / Math.pow(10, p)) % 10;
      if (d === 0) { zero = out !== ""; continue; }
      if (zero) { out += "零"; zero = false; }
      out += DIGITS[d] + UNITS[p];
    }
    return out;
  }
  function integer(n) {
    var sizes = [[1e8, "亿"], [1e4, "万"]];
    for (var i = 0; i < sizes.length; i++) {
      var size = sizes[i][0];
      if (n >= size) {
        var high = Math.floor(n / size), low = n % size;
        var out = integer(high) + sizes[i][1];
        if (low) { out += (low < size / 10 ? "零" : "") + integer(low); }
        return out;
      }
    }
    return belowWan(n);
  }
  /* the same rules as ledger/capitals.py */
  function capitals(fen) {
    if (fen === 0) { return "零元整"; }
    var sign = fen < 0 ? "负" : "";
    fen = Math.abs(fen);
    var y = Math.floor(fen / 100), rest = fen % 100, jiao = Math.floor(rest / 10), f = rest % 10;
    var out = y ? integer(y) + "元" : "";
    if (!jiao && !f) { return sign + out + "整"; }
    if (jiao) { out += DIGITS[jiao] + "角"; } else if (y) { out += "零"; }
    if (f) { out += DIGITS[f] + "分"; }
    return sign + out;
  }

  function recount() {
    var debit = 0, credit = 0, bad = false;
    body.querySelectorAll("tr.line").forEach(function (row) {
      var d = toFen(row.querySelector(".debit").value), c = toFen(row.querySelector(".credit").value);
      row.querySelector(".debit").classList.toggle("invalid", d === null);
      row.querySelector(".credit").classList.toggle("invalid", c === null);
      if (d === null || c === null) { bad = true; return; }
      debit += d; credit += c;
    });
    document.getElementById("debit-total").textContent = yuan(debit);
    document.getElementById("credit-total").textContent = yuan(credit);
    var total = Math.max(debit, credit);
    document.getElementById("capitals").textContent = debit === credit && total > 0 ? capitals(total) : "";
    var note = document.getElementById("balance");
    if (bad) {
      note.innerHTML = '<span class="error">有金额写得不对：请只写数字和小数点，最多两位小数</span>';
    } else if (debit !== credit) {
      note.innerHTML = '<span class="error">借贷不平衡，相差 ' + yuan(Math.abs(debit - credit)) + "</span>";
    } else if (debit > 0) {
      note.innerHTML = '<span class="ok">借贷平衡</span>';
    } else {
      note.textContent = "";
    }
    return { debit: debit, credit: credit, bad: bad };
  }

  // -- lines and keyboard ------------------------------------------------------------------
  function cells() { return Array.prototype.slice.call(form.querySelectorAll("input.cell")); }

  function addLine() {
    var rows = body.querySelectorAll("tr.line");
    var row = rows[rows.length - 1].cloneNode(true);
    row.querySelectorAll("input").forEach(function (i) { i.value = ""; i.classList.remove("invalid"); });
    row.querySelectorAll(".error").forEach(function (e) { e.remove(); });
    row.querySelector(".account-name").textContent = "";
    body.appendChild(row);
    memoPlaceholders();
    return row;
  }

  function next(input) {
    var all = cells(), at = all.indexOf(input);
    if (at === all.length - 1 || (input.classList.contains("credit") && input.closest("tr") === body.lastElementChild)) {
      addLine().querySelector("input.account").focus();
    } else {
      all[at + 1].focus();
      if (all[at + 1].select) { all[at + 1].select(); }
    }
  }

  body.addEventListener("click", function (e) {
    if (e.target.classList.contains("remove-line")) {
      if (body.querySelectorAll("tr.line").length > 1) { e.target.closest("tr").remove(); }
      recount();
    }
  });

  form.addEventListener("input", function (e) {
    if (e.target.classList.contains("amount")) { recount(); }
  });

  // -- a line's 摘要 and the 凭证号 -----------------------------------------------------------
  var summary = document.getElementById("summary");
  function memoPlaceholders() {
    var text = summary ? summary.value : "";
    body.querySelectorAll("input.memo").forEach(function (m) { m.placeholder = text; });
  }
  if (summary) { summary.addEventListener("input", memoPlaceholders); }
  form.addEventListener("keydown", function (e) {
    var input = e.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("memo") || e.key !== "Enter") { return; }
    e.preventDefault();  // not the form's submit: on to the line's account
    input.closest("tr").querySelector("input.account").focus();
  });

  var numberTimer = null;
  function refreshNumber() {
    var shown = document.getElementById("voucher-number"), select = document.getElementById("word");
    var code = entity();
    if (!shown || !select || !code) { return; }
    var params = new URLSearchParams();
    var date = form.querySelector("#date");
    params.set("date", date ? date.value : "");
    if (select.value) { params.set("word", select.value); }
    body.querySelectorAll("tr.line").forEach(function (row) {
      var account = row.querySelector("input.account").value.trim();
      if (account) { params.append(toFen(row.querySelector(".debit").value) ? "debit" : "credit", account); }
    });
    fetch("/numbers/" + encodeURIComponent(code) + "?" + params.toString(),
          { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (n) {
        if (!n) { return; }
        shown.textContent = n.text;
        shown.dataset.number = n.number;
        document.getElementById("number-note").textContent = n.note;
        var keep = select.value;
        select.innerHTML = "";
        var automatic = document.createElement("option");
        automatic.value = "";
        automatic.textContent = "按分录（" + (n.words[0] || "") + "字）";
        select.appendChild(automatic);
        n.words.forEach(function (w) {
          var option = document.createElement("option");
          option.value = w;
          option.textContent = w + "字";
          option.selected = w === keep;
          select.appendChild(option);
        });
        document.getElementById("word-choice").hidden = !n.choose;
      })
      .catch(function () {});
  }
  function laterNumber() { clearTimeout(numberTimer); numberTimer = setTimeout(refreshNumber, 250); }
  form.addEventListener("input", function (e) {
    var t = e.target;
    if (t.id === "date" || t.classList.contains("amount") || t.classList.contains("account")) { laterNumber(); }
  });
  form.addEventListener("change", function (e) {
    if (e.target.id === "word" || e.target.classList.contains("entity-select")) { refreshNumber(); }
  });

  // -- account picker ----------------------------------------------------------------------
  var picker = {
    list: null, input: null, items: [], active: -1, pending: null, timer: null, seq: 0, moved: false
  };

  function entity() {
    var select = form.querySelector(".entity-select");
    return select ? select.value : form.dataset.entity;
  }

  function closePicker() {
    if (picker.list) { picker.list.remove(); }
    picker.list = null; picker.items = []; picker.active = -1;
  }

  function render() {
    if (picker.list) { picker.list.remove(); }
    var input = picker.input;
    var ul = document.createElement("ul");
    ul.className = "picker";
    ul.setAttribute("role", "listbox");
    if (!picker.items.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = "没有找到科目";
      ul.appendChild(none);
    }
    picker.items.forEach(function (a, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.dataset.code = a.code;
      li.innerHTML = "<b></b> <span></span>";
      li.querySelector("b").textContent = a.code;
      li.querySelector("span").textContent = a.name;
      li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); next(input); });
      ul.appendChild(li);
    });
    input.closest("td").appendChild(ul);
    picker.list = ul;
    picker.active = picker.items.length ? 0 : -1;
    picker.moved = false;
    highlight();
  }

  function highlight() {
    if (!picker.list) { return; }
    picker.list.querySelectorAll("li[role=option]").forEach(function (li, i) {
      li.classList.toggle("active", i === picker.active);
      li.setAttribute("aria-selected", i === picker.active ? "true" : "false");
      if (i === picker.active && li.scrollIntoView) { li.scrollIntoView({ block: "nearest" }); }
    });
  }

  function search(input) {
    var code = entity();
    if (!code) { return Promise.resolve(); }
    var seq = ++picker.seq;
    picker.input = input;
    var url = "/accounts/" + encodeURIComponent(code) + "?format=json&q=" + encodeURIComponent(input.value);
    picker.pending = fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (items) {
        if (seq !== picker.seq || document.activeElement !== input) { return; }
        picker.items = items;
        render();
      })
      .catch(function () {})
      .then(function () { if (seq === picker.seq) { picker.pending = null; } });
    return picker.pending;
  }

  function choose(i) {
    var a = picker.items[i];
    if (!a || !picker.input) { return; }
    picker.input.value = a.code;
    picker.input.closest("td").querySelector(".account-name").textContent = a.name;
    picker.input.classList.remove("invalid");
    closePicker();
    laterNumber();
  }

  /* the refusal of what was typed, beside the cell (and the 科目 page to open one) */
  function refuse(input, text, parent) {
    var note = input.closest("td").querySelector(".account-name");
    note.textContent = "";
    var span = document.createElement("span");
    span.className = "error picker-refusal";
    span.setAttribute("role", "alert");
    span.textContent = text;
    note.appendChild(span);
    if (parent) {
      var a = document.createElement("a");
      a.href = "/chart/" + encodeURIComponent(entity()) + "?parent=" + encodeURIComponent(parent);
      a.textContent = "到「科目」页开设";
      a.tabIndex = -1;
      note.appendChild(document.createTextNode(" "));
      note.appendChild(a);
    }
    input.classList.add("invalid");
  }

  /* Whether the account cell holds an account once Enter or Tab is pressed (the list of the
     current search is in picker.items): true when it may move on. */
  function settle(input) {
    var typed = input.value.trim();
    if (picker.input === input && picker.moved && picker.active >= 0) {
      choose(picker.active);  // chosen with ↑↓
      return true;
    }
    var own = picker.input === input ? picker.items : [];
    if (!/^[0-9]/.test(typed)) {  // a name or pinyin initials: the highlighted account
      if (own.length && picker.active >= 0) { choose(picker.active); return true; }
      refuse(input, "没有找到“" + typed + "”：请输入科目编码、名称或拼音首字母");
      return false;
    }
    var exact = own.filter(function (a) { return a.code === typed; })[0];
    if (exact) {
      input.value = exact.code;
      input.closest("td").querySelector(".account-name").textContent = exact.name;
      input.classList.remove("invalid");
      closePicker();
      return true;
    }
    var subs = own.filter(function (a) { return a.code.indexOf(typed) === 0; });
    if (typed.length === 3 && subs.length) {
      refuse(input, "科目 " + typed + " 已有明细科目，不能直接记账：请用 ↑↓ 从下面选一个明细科目");
      if (picker.list) { picker.active = 0; picker.moved = false; highlight(); }
      return false;
    }
    closePicker();
    refuse(input, "科目 " + typed + " 未开设或不在科目表中", typed.length > 3 ? typed.slice(0, 3) : "");
    return false;
  }

  form.addEventListener("input", function (e) {
    if (!e.target.classList.contains("account")) { return; }
    var input = e.target;
    input.closest("td").querySelector(".account-name").textContent = "";
    input.classList.remove("invalid");
    clearTimeout(picker.timer);
    picker.input = input;
    picker.seq++;  // anything in flight is stale
    picker.pending = new Promise(function (resolve) {
      picker.timer = setTimeout(function () { search(input).then(resolve); }, 80);
    });
  });

  form.addEventListener("focusout", function (e) {
    if (e.target.classList.contains("account")) { setTimeout(function () {
      if (document.activeElement !== picker.input) { closePicker(); }
    }, 150); }
  });

  form.addEventListener("keydown", function (e) {
    var input = e.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("cell")) { return; }
    var isAccount = input.classList.contains("account");
    if (isAccount && picker.list && picker.input === input) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        var n = picker.items.length;
        if (n) { picker.active = (picker.active + (e.key === "ArrowDown" ? 1 : n - 1)) % n; }
        picker.moved = true;
        highlight();
        return;
      }
      if (e.key === "Escape") { e.preventDefault(); closePicker(); return; }
      if (e.key === "Tab" && !e.shiftKey && input.value.trim() && !picker.pending) {
        if (!settle(input)) { e.preventDefault(); }  // as Enter does, then moves on
        return;
      }
    }
    if (e.key === "ArrowDown" && isAccount && !picker.list && input.value) {
      e.preventDefault(); search(input); return;
    }
    if (e.key !== "Enter") { return; }
    e.preventDefault();
    if (e.ctrlKey) { document.getElementById("submit-voucher").click(); return; }
    if (isAccount && input.value.trim()) {
      var wait = picker.pending || Promise.resolve();
      wait.then(function () {
        if (settle(input)) { next(input); }
      });
      return;
    }
    if (input.classList.contains("amount")) {
      var fen = toFen(input.value);
      if (fen) { input.value = Math.floor(fen / 100) + "." + String(fen % 100).padStart(2, "0"); }
      recount();
    }
    next(input);
  });

  // -- submit ------------------------------------------------------------------------------
  form.addEventListener("submit", function (e) {
    var submitter = e.submitter;
    if (!submitter || submitter.value !== "submit") { return; }
    var t = recount();
    if (t.bad || t.debit !== t.credit || t.debit === 0) {
      e.preventDefault();
      var note = document.getElementById("balance");
      note.innerHTML = '<span class="error" role="alert">' + (t.debit === 0 && !t.bad
        ? "还没有金额：请至少填写一借一贷两行"
        : "借贷不平衡（借方 " + yuan(t.debit) + "，贷方 " + yuan(t.credit) + "），不能提交；可先存草稿") + "</span>";
      var first = form.querySelector("input.amount");
      if (first) { first.focus(); }
    }
  });

  recount();
})();
