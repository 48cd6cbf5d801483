import { createHash } from "node:crypto";

/**
 * The whole stylesheet, inlined in every page: one round trip on a 2G link, no render-blocking
 * request. Its hash goes in the Content-Security-Policy, so no other inline style can run.
 */
export const CRITICAL_CSS = `
*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1a1a1a;background:#fff;-webkit-text-size-adjust:100%;overflow-wrap:break-word}
body{margin:0}
a{color:#0b4f8a}a:hover,a:focus{color:#062c4d}
:focus-visible{outline:3px solid #d35400;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:9}
.wrap{max-width:60rem;margin:0 auto;padding:0 1rem}
header.site{background:#0b4f8a;color:#fff;position:relative}
header.site a{color:#fff}
.bar{display:flex;gap:.5rem 1rem;align-items:center;padding:.5rem 1rem}
.brand{font-weight:700;font-size:1.15rem;line-height:1.25;text-decoration:none;margin-right:auto;min-width:0}
.brand small{display:block;font-weight:400;font-size:.8rem}
header.branded{position:relative;isolation:isolate}header.branded .band{position:absolute;inset:0;width:100%;height:100%;z-index:-1}header.ink-dark{background:#fff}header.site.ink-dark,header.site.ink-dark a{color:#000}
header.branded .menu nav{background:#fff;border-top-color:#ccc;border-bottom:2px solid #0b4f8a;box-shadow:0 .4rem .6rem #0003}header.branded .menu nav a{color:#0b4f8a}header.ink-dark .menu>summary{border-color:#000}
nav.main ul,nav.crumbs ol,.inline{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
details.menu{margin:0}
.menu>summary{list-style:none;cursor:pointer;font-weight:600;padding:.3rem .7rem;border:2px solid #fff;border-radius:4px;white-space:nowrap}
.menu>summary::-webkit-details-marker{display:none}.menu>summary::after{content:" ▾"}.menu[open]>summary::after{content:" ▴"}
.menu nav{position:absolute;left:0;right:0;top:100%;z-index:5;background:#0b4f8a;padding:0 1rem .75rem;border-top:1px solid #6d95b9}
.menu nav ul{flex-direction:column}.menu nav a{display:block;padding:.45rem 0}
.catalogue{display:grid;gap:0 2rem}.catalogue>*{min-width:0}
.filters{border:2px solid #0b4f8a;border-radius:6px;padding:.5rem .75rem}.filters>summary{font-weight:600;cursor:pointer;color:#0b4f8a}.filters[open]>summary{margin-bottom:.75rem}
@media (min-width:48rem){
.catalogue{grid-template-columns:minmax(0,1fr) 15rem}
@supports selector(::details-content){
.wide-open>summary{display:none}.wide-open::details-content{content-visibility:visible}
.brand{flex-shrink:0;max-width:40%}.menu nav{position:static;padding:0;border:0}header.branded .menu nav{background:none;border:0;box-shadow:none}header.branded .menu nav a{color:inherit}.menu nav ul{flex-direction:row}.menu nav a{padding:0}
.filters{border:0;padding:0}
}}
nav.crumbs{font-size:.9rem;margin:.75rem 0}
nav.crumbs li+li::before{content:"›";margin-right:.5rem;color:#555}
main{padding:1rem 0 2rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
.flash{padding:.75rem 1rem;border-left:5px solid #1e7b34;background:#eaf6ec;margin:0 0 1rem}
.flash.error,.errors{border-left:5px solid #b00020;background:#fdecee;padding:.75rem 1rem;margin:0 0 1rem}
.notice{border-left:5px solid #b36b00;background:#fff6e5;padding:.75rem 1rem;margin:0 0 1rem}
form.stack{display:grid;gap:1rem;max-width:36rem}
label{display:block;font-weight:600}
.hint{display:block;font-weight:400;font-size:.9rem;color:#444}
input,select,textarea{font:inherit;width:100%;padding:.5rem;border:2px solid #555;border-radius:4px;background:#fff;color:inherit}
textarea{min-height:8rem}
[aria-invalid=true]{border-color:#b00020}
.field-error{color:#b00020;font-weight:600;display:block}
button,.button{font:inherit;font-weight:600;padding:.55rem 1.1rem;border:0;border-radius:4px;background:#0b4f8a;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#e8eef4;color:#0b4f8a}
button.link{background:none;color:#0b4f8a;padding:0;text-decoration:underline;font-weight:400}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #ccc;vertical-align:top}
.cards{display:grid;gap:1rem;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));padding:0;list-style:none}
.cards li{border:1px solid #ccc;border-radius:6px;padding:.75rem 1rem}
.cards h2,.cards h3{font-size:1.1rem;margin:0 0 .25rem}.cards p{margin:.25rem 0}
dl.facts{display:flex;flex-wrap:wrap;gap:.25rem 1.5rem;margin:0 0 1rem}dl.facts div{display:flex;gap:.4rem}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
.meta{color:#444;font-size:.9rem}
.tag{display:inline-block;padding:0 .4rem;border-radius:3px;background:#e8eef4;font-size:.85rem}
.pager{display:flex;gap:1rem;margin:1rem 0}
footer.site{border-top:1px solid #ccc;padding:1rem 0 2rem;font-size:.9rem}
footer.site .langs ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;padding:0;margin:0}.langs a{display:inline-block;padding:.5rem 0}.langs a[aria-current]{font-weight:700}
img,svg{max-width:100%;height:auto}dt{font-weight:600}dd{margin:0 0 .5rem 1rem}fieldset{border:1px solid #ccc;border-radius:4px}legend{font-weight:600}fieldset label{font-weight:400}figure{margin:1rem 0}
.scroll{overflow-x:auto;background:linear-gradient(90deg,#fff 30%,#fff0) 0 0/2rem 100% no-repeat local,linear-gradient(270deg,#fff 30%,#fff0) 100% 0/2rem 100% no-repeat local,radial-gradient(farthest-side at 0 50%,#0004,#0000) 0 0/.6rem 100% no-repeat,radial-gradient(farthest-side at 100% 50%,#0004,#0000) 100% 0/.6rem 100% no-repeat}details{margin:1rem 0}code{overflow-wrap:anywhere}pre{white-space:pre-wrap}
details{margin:1rem 0}table.log{min-width:40rem}table.log time{white-space:nowrap}
input[type=checkbox],input[type=radio]{width:auto;margin:0 .4rem 0 0}label:has(>input[type=checkbox]),label:has(>input[type=radio]){font-weight:400;display:flex;align-items:center}
.badge{display:inline-block;padding:0 .4rem;border-radius:3px;background:#e8eef4}.state-accepted{background:#eaf6ec}.state-refused,.state-closed_without_follow_up{background:#fdecee}
.overdue{color:#b00020}.history li{margin:.5rem 0}.history .internal{background:#fff6e5}form.filters{display:grid;gap:.5rem;max-width:36rem;margin:0 0 1rem}
.success{border-left:5px solid #1e7b34;background:#eaf6ec;padding:.75rem 1rem;margin:0 0 1rem}
.lead{font-size:1.1rem;max-width:44rem}
.figures{list-style:none;padding:0;margin:1rem 0;display:grid;gap:.75rem;grid-template-columns:repeat(auto-fit,minmax(9.5rem,1fr))}.figures li{border-left:4px solid #0b4f8a;background:#f4f7fa;padding:.35rem .75rem}.figures strong{display:block;font-size:1.75rem;line-height:1.2}
.atlas{display:grid;gap:1rem;align-items:start}@media (min-width:48rem){.atlas{grid-template-columns:3fr 2fr}}.atlas h3{font-size:1rem;margin:.5rem 0 .25rem}.towns{margin:0;padding-left:1.2rem}.ways{grid-template-columns:repeat(auto-fill,minmax(13rem,1fr))}svg.map{width:100%;display:block}
.identity{display:flex;gap:1rem;align-items:center}.identity h1{margin:.25rem 0}.identity p{margin:.25rem 0}.mark{flex:none}.open-now{padding-left:1.2rem}.open-now li{margin:.35rem 0}
input[type=color]{width:5rem;height:2.75rem;padding:.2rem}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.row-actions{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.35rem 0 .75rem}.row-actions button,.row-actions .button{padding:.3rem .6rem;font-size:.9rem}.row-actions .button.secondary{background:#e8eef4;color:#0b4f8a}.row-actions form,.row-actions details{margin:0}details.confirm>summary{list-style:none}details.confirm[open]{flex-basis:100%}details.confirm p{margin:.5rem 0}.editing{border-left:4px solid #0b4f8a;padding:.25rem 0 .25rem .75rem;margin:.5rem 0 1rem}
`
  .trim()
  .replace(/\n/g, "");

export const CRITICAL_CSS_HASH = `'sha256-${createHash("sha256").update(CRITICAL_CSS).digest("base64")}'`;
