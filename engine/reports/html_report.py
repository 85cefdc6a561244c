"""HTML report: one self-contained page (no network fetches), charts in inline
SVG, and a table of lines that filters by status, grant, purpose and text.

Every text from the input is escaped; the page runs no script but its own.
With --waivers or --baseline, each exempt finding says why, and a Gate
section gives the verdict and every applied, expired and stale waiver.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from html import escape
from itertools import islice

import orjson
import polars as pl

from ..checks import totals
from ..checks.message_columns import gbp
from ..checks.result import CheckResult
from ..checks.totals import NO_PURPOSE
from ..core.errors import visible
from ..core.money import format_gbp
from ..core.status import LABELS, RANK, STATUSES
from ..models.table import ROW, SEQ, SOURCE, STATUS
from .advice import advice_text, advice_texts
from .evidence import evidence_rows
from .gate_report import active_gate, finding_note, summary_lines
from .json_report import findings_joined, literal
from .text_out import array_pieces, joined, put, slices, visible_column

COLOURS = {"compliant": "#2e7d32", "at_risk": "#f9a825", "non_compliant": "#c62828"}
LABEL = LABELS
#: Lines a page of the table shows (the first page is also written as HTML, for readers
#: without scripts; the script draws every page from the data).
PAGE = 100

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem;color:#222;max-width:1400px}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;white-space:nowrap}td.nowrap{white-space:nowrap}
.badge{display:inline-block;white-space:nowrap;padding:.05rem .4rem;border-radius:.3rem;color:#fff;font-size:.75rem}
.compliant{background:#2e7d32}.at_risk{background:#f9a825;color:#222}.non_compliant{background:#c62828}
.finding{color:#444;font-size:.8rem;margin:.15rem 0}.clause{color:#777}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem 3rem;margin-top:1.5rem}.charts figure{margin:0}
figcaption{font-weight:600;margin-bottom:.4rem}
#filters{display:flex;gap:1rem;margin:.5rem 0 1rem;flex-wrap:wrap}
code{font-size:.75rem;word-break:break-all}pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:.75rem}
"""  # noqa: E501 (the style sheet is written as it is sent)

SCRIPT = """
(function(){
  /* The lines are data (#line-data, columns of codes and text); the table shows one page
     of those the filters leave, so a page of 100,000 lines is as quick as one of ten. */
  var data=document.getElementById('line-data'),D=JSON.parse(data.textContent);
  data.remove();  /* read once: the page need not keep its text */
  var N=D.line_id.length,PAGE=%(page)d,S=%(statuses)s,L=%(labels)s,found={};
  D.found.forEach(function(at,i){found[at]=D.findings[i];});
  var body=document.querySelector('#lines tbody'),
      s=document.getElementById('f-status'),g=document.getElementById('f-grant'),
      p=document.getElementById('f-purpose'),t=document.getElementById('f-text'),
      n=document.getElementById('shown'),at=document.getElementById('page'),
      prev=document.getElementById('prev'),next=document.getElementById('next');
  var page=0,matches=[],text=null;
  function purpose(i){return D.purpose[i]<0?'(none)':D.purposes[D.purpose[i]];}
  function node(tag,cls,content){var e=document.createElement(tag);if(cls){e.className=cls;}
    if(content!=null){e.textContent=content;}return e;}
  function cell(tr,cls,content){var td=node('td',cls,content);tr.appendChild(td);return td;}
  function version(i){return D.version?'version '+(D.version[i]||'-'):'';}
  /* A finding: [status rank, rule, message, clause, note]; rank -1: the line's funding advice. */
  function finding(f){
    return f[0]<0?'advice: '+f[2]:f[1]+' '+f[2]+' ['+f[3]+']'+(f[4]?' ('+f[4]+')':'');}
  /* What a row's text reads, as the text filter searches it (its cells' text, run on). */
  function words(i){
    return [D.line_id[i],D.sources[D.source[i]]+':'+D.row[i],D.date[i]||'',version(i),
            D.grants[D.grant[i]],D.purpose[i]<0?'':D.purposes[D.purpose[i]],D.supplier[i]||'',
            D.reference[i]||'',D.amount[i],L[D.status[i]],D.description[i]||'']
      .concat((found[i]||[]).map(finding)).join('').toLowerCase();}
  function row(i){
    var tr=document.createElement('tr'),status=S[D.status[i]];
    tr.setAttribute('data-status',status);tr.setAttribute('data-grant',D.grants[D.grant[i]]);
    tr.setAttribute('data-purpose',purpose(i));
    cell(tr,'',D.line_id[i]);cell(tr,'',D.sources[D.source[i]]+':'+D.row[i]);
    var day=cell(tr,'nowrap',D.date[i]||'');
    if(D.version){day.appendChild(node('div','clause',version(i)));}
    cell(tr,'nowrap',D.grants[D.grant[i]]);
    cell(tr,'',D.purpose[i]<0?'':D.purposes[D.purpose[i]]);
    cell(tr,'',D.supplier[i]||'').appendChild(node('div','clause',D.reference[i]||''));
    cell(tr,'num',D.amount[i]);
    cell(tr,'',null).appendChild(node('span','badge '+status,L[D.status[i]]));
    var last=cell(tr,'',D.description[i]||'');
    (found[i]||[]).forEach(function(f){
      if(f[0]<0){var a=node('div','finding advice',null);a.appendChild(node('b',null,'advice:'));
                 a.appendChild(document.createTextNode(' '+f[2]));last.appendChild(a);return;}
      var div=node('div','finding',null);
      div.appendChild(node('span','badge '+S[f[0]],f[1]));
      div.appendChild(document.createTextNode(' '+f[2]+' '));
      div.appendChild(node('span','clause','['+f[3]+']'));
      if(f[4]){div.appendChild(document.createTextNode(' '));
               div.appendChild(node('span','clause','('+f[4]+')'));}
      last.appendChild(div);});
    return tr;}
  function show(){
    var pages=Math.max(1,Math.ceil(matches.length/PAGE));
    page=Math.min(Math.max(page,0),pages-1);
    var rows=document.createDocumentFragment();
    for(var k=page*PAGE;k<Math.min(matches.length,(page+1)*PAGE);k++){
      rows.appendChild(row(matches[k]));}
    body.replaceChildren(rows);
    n.textContent=matches.length;at.textContent='page '+(page+1)+' of '+pages;
    prev.disabled=page===0;next.disabled=page>=pages-1;
    var state=new URLSearchParams();
    [['status',s],['grant',g],['purpose',p],['q',t]].forEach(function(f){
      if(f[1].value){state.set(f[0],f[1].value);}});
    if(page>0){state.set('page',page+1);}
    try{history.replaceState(null,'',state.toString()?'#'+state.toString():location.pathname);}
    catch(e){}  /* some file:// pages may not rewrite their address: filtering still works */
  }
  function apply(){
    var q=t.value.toLowerCase(),st=S.indexOf(s.value),gr=D.grants.indexOf(g.value),pu=p.value;
    if(q&&!text){text=new Array(N);for(var j=0;j<N;j++){text[j]=words(j);}}
    matches=[];
    for(var i=0;i<N;i++){
      if((!s.value||D.status[i]===st)&&(!g.value||D.grant[i]===gr)&&(!pu||purpose(i)===pu)&&
         (!q||text[i].indexOf(q)>=0)){matches.push(i);}}
    page=0;show();
  }
  /* A filtered view can be bookmarked: #status=at_risk&grant=...&purpose=...&q=text&page=2 */
  var wanted=new URLSearchParams(location.hash.slice(1));
  [['status',s],['grant',g],['purpose',p],['q',t]].forEach(function(f){
    var v=wanted.get(f[0]);
    if(v!==null&&(f[1]===t||[].some.call(f[1].options,function(o){return o.value===v;}))){
      f[1].value=v;}});
  [s,g,p].forEach(function(e){e.addEventListener('change',apply);});
  t.addEventListener('input',apply);
  prev.addEventListener('click',function(){page--;show();});
  next.addEventListener('click',function(){page++;show();});
  apply();
  page=(parseInt(wanted.get('page'),10)||1)-1;show();
  document.body.dataset.ready='1';
})();
""" % {"page": PAGE, "statuses": json.dumps(list(STATUSES)),  # noqa: UP031 (str.format would
    # need every brace of the script doubled)
       "labels": json.dumps([LABEL[s] for s in STATUSES])}


def _bars(title: str, groups: dict[str, dict[str, int]]) -> str:
    """A stacked horizontal bar per group, one colour per status."""
    width, bar, gap = 640, 18, 8
    longest = max((len(name) for name in groups), default=0)
    label_w = min(max(longest * 7 + 12, 90), 300)  # about 7px a character at 12px
    fits = (label_w - 12) // 7
    peak = max((sum(max(v, 0) for v in g.values()) for g in groups.values()), default=0) or 1
    height = len(groups) * (bar + gap) + 30
    parts = [f'<figure><figcaption>{escape(title)}</figcaption>'
             f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}">']
    for index, (name, amounts) in enumerate(groups.items()):
        y = index * (bar + gap) + 4
        shown = name if len(name) <= fits else name[:fits - 1] + "…"
        parts.append(f"<text x=\"0\" y=\"{y + bar - 4}\" font-size=\"12\">{escape(shown)}"
                     f"<title>{escape(name)}</title></text>")
        x: float = label_w
        for status in STATUSES:
            value = max(amounts.get(status, 0), 0)
            w = (width - label_w - 110) * value / peak
            if w > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" '
                             f'fill="{COLOURS[status]}"><title>{escape(name)}: '
                             f'{LABEL[status]} {format_gbp(value)}</title></rect>')
            x += w
        total = sum(amounts.values())
        parts.append(f'<text x="{x + 6:.1f}" y="{y + bar - 4}" font-size="11">'
                     f'{format_gbp(total)}</text>')
    legend_y = height - 8
    for index, status in enumerate(STATUSES):
        parts.append(f'<rect x="{label_w + index * 120}" y="{legend_y - 10}" width="10" '
                     f'height="10" fill="{COLOURS[status]}"/><text x="{label_w + 14 + index * 120}"'
                     f' y="{legend_y}" font-size="11">{LABEL[status]}</text>')
    parts.append("</svg></figure>")
    return "".join(parts)


def _options(element_id: str, label: str, values, labels: dict[str, str] | None = None) -> str:
    options = "".join(f'<option value="{escape(v)}">{escape((labels or {}).get(v, v))}</option>'
                      for v in values)
    return (f'<label>{label} <select id="{element_id}"><option value="">all</option>'
            f'{options}</select></label>')


def render(result: CheckResult) -> str:
    head, tail = _page(result)
    return visible(head) + joined(map(_safe, _data(result))) + visible(tail)


def write(result, stream, context) -> None:
    # HTML has no place for control characters (NUL above all): input's are shown as escapes.
    head, tail = _page(result)
    stream.write(visible(head))
    for piece in _data(result):  # a column at a time: the page is never one string
        for part in slices(piece):
            put(stream, _safe(part))
    stream.write(visible(tail))


def _safe(piece: str | pl.Series) -> str | pl.Series:
    """A piece of the page's data with no `<` (no text from the input can close its script
    element) and its control characters shown as escapes."""
    if isinstance(piece, str):
        return visible(piece.replace("<", "\\u003c"))
    return visible_column(piece.str.replace_all("<", "\\u003c", literal=True))


def _page(result: CheckResult) -> tuple[str, str]:
    """The page before the lines' data, and after it."""
    summary = result.summary
    by_status = {LABEL[s]: {s: summary[s].amount} for s in STATUSES}
    by_purpose = {f"{g} / {p}": a for (g, p), a in totals.by_purpose(result).items()}
    by_month = totals.by_month(result)
    title = "ringfence check" + (f": {result.council}" if result.council else "")
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
           "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
           "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
           f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
           f"<h1>{escape(title)}</h1>",
           f"<p>Overall: <span class='badge {result.status}'>{LABEL[result.status]}</span></p>",
           "<h2>Totals</h2><table><thead><tr><th>status</th><th class='num'>lines</th>"
           "<th class='num'>amount</th></tr></thead><tbody>"]
    for status, bucket in summary.items():
        badge = (f"<span class='badge {status}'>{LABEL[status]}</span>" if status in LABEL
                 else "<b>total</b>")
        out.append(f"<tr><td>{badge}</td><td class='num'>{bucket.lines}</td>"
                   f"<td class='num'>{format_gbp(bucket.amount)}</td></tr>")
    if result.outside is not None:
        out.append(f"<tr><td>out of scope</td><td class='num'>{result.outside.lines}</td>"
                   f"<td class='num'>{format_gbp(result.outside.amount)}</td></tr>")
    out.append("</tbody></table>")
    if result.outside is not None:
        out.append("<p>Out of scope: lines the column map gives no grant. They are not grant "
                   "spend, not in the total and checked against no award.</p>")
    gate = summary_lines(result)
    if gate:
        out.append("<h2>Gate</h2><ul id='gate'>"
                   + "".join(f"<li>{escape(text.strip())}</li>" for text in gate) + "</ul>")
    if result.rejected:
        out.append(f"<p>{len(result.rejected)} rows could not be read and were left out:</p><ul>")
        out += [f"<li>{escape(r.describe())}</li>" for r in result.rejected]
        out.append("</ul>")
    out.append("<div class='charts'>" + _bars("By status", by_status)
               + _bars("By grant and purpose", by_purpose) + _bars("By month", by_month)
               + "</div>")
    out.append("<h2>Ringfence checks</h2><table><thead><tr><th>grant</th><th>check</th>"
               "<th class='num'>allocated</th><th class='num'>spent</th><th>status</th>"
               "<th>message</th></tr></thead><tbody>")
    for c in result.ringfences:
        out.append(f"<tr><td class='nowrap'>{escape(c.grant)}</td>"
                   f"<td>{escape(c.purpose or c.check)}</td>"
                   f"<td class='num'>{format_gbp(c.allocated)}</td>"
                   f"<td class='num'>{format_gbp(c.spent)}</td>"
                   f"<td><span class='badge {c.status}'>{LABEL[c.status]}</span></td>"
                   f"<td>{escape(c.message)} <span class='clause'>[{escape(c.clause)}]</span>"
                   "</td></tr>")
    out.append("</tbody></table>")
    cases = result.case_list()
    if cases:
        out.append(f"<h2>Cross-line cases ({len(cases)})</h2><table id='cases'><thead><tr>"
                   "<th>case</th><th>kind</th><th>strength</th><th>status</th>"
                   "<th class='num'>amount</th><th class='num'>lines</th><th>reason</th>"
                   "</tr></thead><tbody>")
        for case in cases:
            status = (f"<span class='badge {case['status']}'>{LABEL[case['status']]}</span>"
                      if case["status"] in LABEL else escape(case["status"]))
            out.append(f"<tr><td>{escape(case['id'])}</td><td>{escape(case['kind'])}</td>"
                       f"<td>{escape(case['strength'])}</td><td>{status}</td>"
                       f"<td class='num'>{format_gbp(case['amount'])}</td>"
                       f"<td class='num'>{len(case['lines'])}</td>"
                       f"<td>{escape(case['reason'])}</td></tr>")
        out.append("</tbody></table>")
    count = result.table.height
    grants = _labels(result, "grant")
    purposes = sorted({*_labels(result, "purpose"),
                       *([NO_PURPOSE] if result.table["purpose"].null_count() else [])})
    out.append(f"<h2>Lines (<span id='shown'>{count}</span> of {count} shown)</h2>"
               "<div id='filters'>"
               + _options("f-status", "status", STATUSES, LABEL)
               + _options("f-grant", "grant", grants)
               + _options("f-purpose", "purpose", purposes)
               + "<label>text <input id='f-text' type='search'></label></div>"
               "<p id='pages'><button id='prev' type='button'>previous</button> "
               f"<span id='page'>page 1 of {max(1, -(-count // PAGE))}</span> "
               "<button id='next' type='button'>next</button></p>")
    out.append("<table id='lines'><thead><tr><th>line</th><th>where</th><th>date</th>"
               "<th>grant</th><th>purpose</th><th>supplier and reference</th>"
               "<th class='num'>amount</th><th>status</th>"
               "<th>description and findings</th></tr></thead><tbody>")
    lines = islice(result.lines(), PAGE)
    versioned = result.versioned
    for line in lines:
        v = line.values
        # An amended pack's version goes under the date, which chose it.
        version = (f"<div class='clause'>version {escape(line.pack_version or '-')}</div>"
                   if versioned else "")
        findings = "".join(
            f"<div class='finding'><span class='badge {f.status}'>{escape(f.rule)}</span> "
            f"{escape(f.message)} <span class='clause'>[{escape(f.clause)}]</span>"
            + (f" <span class='clause'>({escape(note)})</span>"
               if (note := finding_note(result, line, f)) else "") + "</div>"
            for f in line.findings)
        if line.advice is not None:
            findings += (f"<div class='finding advice'><b>advice:</b> "
                         f"{escape(advice_text(line.advice))}</div>")
        out.append(
            f"<tr data-status='{line.status}' data-grant='{escape(v['grant'])}' "
            f"data-purpose='{escape(v['purpose'] or NO_PURPOSE)}'><td>{escape(line.line_id)}</td>"
            f"<td>{escape(f'{line.source}:{line.row}')}</td>"
            f"<td class='nowrap'>{v['date'].isoformat() if v['date'] else ''}{version}</td>"
            f"<td class='nowrap'>{escape(v['grant'])}</td>"
            f"<td>{escape(v['purpose'] or '')}</td>"
            f"<td>{escape(v['supplier'] or '')}<div class='clause'>{escape(v['reference'] or '')}"
            f"</div></td><td class='num'>{format_gbp(v['amount'])}</td>"
            f"<td><span class='badge {line.status}'>{LABEL[line.status]}</span></td>"
            f"<td>{escape(v['description'] or '')}{findings}</td></tr>")
    out.append("</tbody></table>")
    if result.evidence:
        out.append("<h2>Evidence</h2><table id='evidence'><thead><tr><th>what</th>"
                   "<th>file or value</th><th>sha256</th></tr></thead><tbody>")
        out += [f"<tr><td class='nowrap'>{escape(what)}</td><td>{escape(detail)}</td>"
                f"<td><code>{escape(digest)}</code></td></tr>"
                for what, detail, digest in evidence_rows(result.evidence)]
        evidence = json.dumps(result.evidence, indent=2, ensure_ascii=False)
        out.append(f"</tbody></table><details><summary>as JSON</summary><pre>{escape(evidence)}"
                   "</pre></details>")
    out.append("<script type='application/json' id='line-data'>")
    return "\n".join(out), f"</script>\n<script>{SCRIPT}</script></body></html>"


def _labels(result: CheckResult, name: str) -> list[str]:
    return sorted(result.table[name].drop_nulls().unique().to_list())


def _data(result: CheckResult) -> Iterator[str | pl.Series]:
    """The lines as one JSON object of columns (codes for the status, grant, purpose and
    file, which the filters compare), and the findings of the lines that have any: as
    texts and columns of texts, written one after another (text_out.put)."""
    table = result.table
    grants, purposes = _labels(result, "grant"), _labels(result, "purpose")
    sources = table[SOURCE].unique(maintain_order=True).to_list()
    code = {"status": pl.col(STATUS).replace_strict(list(STATUSES), list(range(3))),
            "grant": pl.col("grant").replace_strict(grants, list(range(len(grants)))),
            "purpose": pl.col("purpose").replace_strict(purposes, list(range(len(purposes))),
                                                        default=-1),
            "source": pl.col(SOURCE).replace_strict(sources, list(range(len(sources)))),
            "row": pl.col(ROW)}
    text = {"line_id": pl.col("line_id"), "date": pl.col("date").dt.to_string("%Y-%m-%d"),
            **({"version": result.pack_version()} if result.versioned else {}),
            "supplier": pl.col("supplier"), "reference": pl.col("reference"),
            "amount": gbp(pl.col("amount")), "description": pl.col("description")}
    yield json.dumps({"grants": grants, "purposes": purposes, "sources": sources},
                     ensure_ascii=False)[:-1]

    for name, expr in [*code.items(), *text.items()]:  # a column at a time, then let go
        values = expr.cast(pl.Utf8) if name in code else literal(expr)
        yield array_pieces(table.select(values)[:, 0].drop_nulls(), f', "{name}": [')
    yield from _findings(result)


def _findings(result: CheckResult) -> Iterator[str | pl.Series]:
    """The positions of the lines with findings, and their findings, each
    [status rank, rule, message, clause, note or null], as JSON text: the end of the
    page's data."""
    # No notes: every message rendered on whole columns, and each distinct advice once.
    if active_gate(result) is None:
        positions, pieces = _found_findings(result)
        yield array_pieces(positions.cast(pl.Utf8), ', "found": [')
        if not pieces:
            yield ', "findings": []}'
            return
        # Each line's findings as an item of the array: the first opens it, the last ends it.
        pieces[0] = pieces[0].scatter(0, ', "findings": [' + pieces[0][0])
        pieces[-1] = pieces[-1].scatter(pieces[-1].len() - 1, pieces[-1][-1][:-1] + "]}")
        yield from pieces
        return
    found, findings = [], []
    for batch in result.batches():
        for position, line in batch.found.items():
            if line.findings:
                found.append(batch.start + position)
                findings.append([[RANK[f.status], f.rule, f.message, f.clause,
                                  finding_note(result, line, f)] for f in line.findings]
                                + _advice(line))
    yield f', "found": {orjson.dumps(found).decode()}, "findings": ' \
          f'{orjson.dumps(findings).decode()}}}'


#: Lines with findings whose text is made at once: of a million lines half refused, the
#: page's findings are a quarter-gigabyte, and what they are made of is more.
AT_ONCE = 25_000


def _found_findings(result: CheckResult) -> tuple[pl.Series, list[pl.Series]]:
    """(the positions of the lines with findings; their findings as array items, each
    `[...],`, AT_ONCE lines to a column of them)."""
    flagged, table = result.flagged(), result.versioned_table()
    found, pieces = [], []
    for start in range(0, flagged.len(), AT_ONCE):
        positions = flagged.slice(start, AT_ONCE)
        lines = table[positions]
        advice = advice_texts(result.advice, lines[SEQ], _advice_finding)
        texts = findings_joined(lines, result, _finding, ",")
        texts = pl.select(pl.when(advice.is_null()).then(texts)
                          .otherwise(texts + pl.lit(",") + advice))[:, 0]
        shown = texts.is_not_null()
        found.append(positions.filter(shown))
        if shown.any():
            pieces.append("[" + texts.filter(shown) + "],")
    return pl.concat(found) if found else flagged, pieces


def _finding(rule: str, status: str, clause: str) -> tuple[str, str]:
    """A finding of the page's data, around its message."""
    return (f"[{RANK[status]},{json.dumps(rule, ensure_ascii=False)},",
            f",{json.dumps(clause, ensure_ascii=False)},null]")


def _advice_finding(advice) -> str:
    """A line's advice as _advice puts it among the line's findings, as JSON text."""
    return orjson.dumps(_advice_entry(advice)).decode()


def _advice(line) -> list[list]:
    """A line's funding advice, shown with its findings: the other grants that would take
    a line its own grant refuses (checks/advice.py)."""
    return [] if line.advice is None else [_advice_entry(line.advice)]


def _advice_entry(advice) -> list:
    return [-1, "advice", advice_text(advice), "", None]  # rank -1: the script's mark
