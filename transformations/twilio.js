/*
 * cartback — Twilio Messages API bodies for the HTTP destination
 *
 * Turns `Cart Recovery Message Due` events into Twilio Messages API form fields (To, From or
 * MessagingServiceSid, Body rendered by cartback, or a WhatsApp ContentSid). A send without consent
 * for its channel, or inside the recipient's quiet hours at delivery time, is dropped with a logged reason.
 *
 * Destination: HTTP (POST, FORM format, basic auth with the Twilio Account SID and Auth Token)
 * Secrets (dashboard: Transformations → Credentials; read with getCredential): none
 * Settings: edit the SETTINGS constant below; everything else is generated, do not edit.
 * Built from the cartback package (transformations/src) by `npm run build:transformations`;
 * guide: docs/rudderstack.md.
 */
// SETTINGS
//   from: SMS sender number (E.164), or null to use messagingServiceSid
//   messagingServiceSid: Messaging Service (MG…); wins over from
//   whatsappFrom: WhatsApp sender (E.164); defaults to the Messaging Service
//   statusCallback: URL Twilio posts delivery statuses to (the message key is added as ?key=)
//   quietHours: per channel, the local-time window in which a message may be delivered
//   storeTimezone: used when the shopper's timezone is unknown
const SETTINGS = {
  "from": null,
  "messagingServiceSid": null,
  "whatsappFrom": null,
  "statusCallback": null,
  "quietHours": {
    "sms": {
      "start": "09:00",
      "end": "21:00"
    },
    "whatsapp": {
      "start": "09:00",
      "end": "21:00"
    }
  },
  "storeTimezone": "UTC"
};
// END SETTINGS

function h(e){if(e===null||typeof e!="object"||Array.isArray(e))return"the event";let t=e,s=typeof t.event=="string"?` "${t.event}"`:"",n=typeof t.type=="string"?t.type:"message",r=typeof t.messageId=="string"?` (messageId ${t.messageId})`:"";return`${n}${s}${r}`}var c="Cart Recovery Message Due";var W={},m={};function w(e,t){try{let n=(W[e]||=new Intl.DateTimeFormat("en-US",{timeZone:e,timeZoneName:"longOffset"}).format)(t).split("GMT")[1];return n in m?m[n]:b(n,n.split(":"))}catch{if(e in m)return m[e];let s=e?.match(B);return s?b(e,s.slice(1)):NaN}}var B=/([+-]\d\d):?(\d\d)?/;function b(e,t){let s=+(t[0]||0),n=+(t[1]||0),r=+(t[2]||0)/60;return m[e]=s*60+n>0?s*60+n+r:s*60-n-r}var f=new Map,M="",x=!1;function E(e){if(e===M)return x;let t=f.get(e);if(t===void 0){try{new Intl.DateTimeFormat("en-US",{timeZone:e}),t=!0}catch{t=!1}f.size>1e3&&f.clear(),f.set(e,t)}return M=e,x=t,t}function C(...e){for(let t of e)if(t&&E(t))return t;return"UTC"}var k=15*6e4,g=new Map,I=0;function z(e,t){if(t==="UTC")return 0;let s=g.get(t);s||(s=new Map,g.set(t,s));let n=Math.floor(e/k),r=s.get(n);return r===void 0&&(r=w(t,new Date(n*k))*6e4,++I>5e5&&(g.clear(),I=0),s.set(n,r)),r}function $(e,t){let s=((e+z(e,t))%864e5+864e5)%864e5;return Math.floor(s/6e4)}function A(e){return(e.charCodeAt(0)-48)*600+(e.charCodeAt(1)-48)*60+(e.charCodeAt(3)-48)*10+(e.charCodeAt(4)-48)}function _(e,t,s){let n=A(t.start),r=A(t.end);if(n===r)return!0;let o=$(e,s);return n<r?o>=n&&o<r:o>=n||o<r}function v(e){return{success:!0,data:e}}function R(e){return{success:!1,error:e}}var J=`@\xA3$\xA5\xE8\xE9\xF9\xEC\xF2\xC7
\xD8\xF8\r\xC5\xE5\u0394_\u03A6\u0393\u039B\u03A9\u03A0\u03A8\u03A3\u0398\u039E\xC6\xE6\xDF\xC9 !"#\xA4%&'()*+,-./0123456789:;<=>?\xA1ABCDEFGHIJKLMNOPQRSTUVWXYZ\xC4\xD6\xD1\xDC\xA7\xBFabcdefghijklmnopqrstuvwxyz\xE4\xF6\xF1\xFC\xE0`,q="^{}\\[~]|\u20AC\f",Q=new Set(J),X=new Set(q);function P(e){let t=0,s=!0;for(let r of e)if(Q.has(r))t+=1;else if(X.has(r))t+=2;else{s=!1;break}if(s)return{encoding:"GSM-7",units:t,segments:t<=160?1:Math.ceil(t/153)};let n=e.length;return{encoding:"UCS-2",units:n,segments:n<=70?1:Math.ceil(n/67)}}var D=/\{\{\s*([A-Za-z]+)\s*(?:\|([^}]*))?\}\}/g,N=/\{\{#([A-Za-z]+)\}\}([\s\S]*?)\{\{\/\1\}\}/g;function Y(e,t){return e.replace(N,(s,n,r)=>{let o=t[n];return o!==void 0&&o!==""?r:""}).replace(D,(s,n,r)=>{let o=t[n];return o!==void 0&&o!==""?o:r??""}).replace(/ {2,}/g," ")}function d(e){let t=[],s=0;for(let n of e.matchAll(D)){let r=n.index;r>s&&t.push(e.slice(s,r)),t.push({name:n[1],fallback:n[2]??""}),s=r+n[0].length}s<e.length&&t.push(e.slice(s));for(let n of t)if(typeof n=="string"&&/\{\{|\}\}/.test(n))return null;return t}function Z(e){let t=[],s=0;for(let r of e.matchAll(N)){let o=r.index,a=d(e.slice(s,o)),i=d(r[2]);if(!a||!i)return null;t.push(...a,{section:r[1],parts:i}),s=o+r[0].length}let n=d(e.slice(s));return n?(t.push(...n),t):null}function S(e){return e!==void 0&&e!==""}function K(e,t){let s="";for(let n of e)if(typeof n=="string")s+=n;else{let r=t[n.name];s+=S(r)?r:n.fallback}return s}var p=new Map;function O(e,t){let s=p.get(e);if(s===void 0&&(s=Z(e),p.size>=1e3&&p.clear(),p.set(e,s)),s===null)return Y(e,t);let n="";for(let r of s)if(typeof r=="string")n+=r;else if("section"in r)S(t[r.section])&&(n+=K(r.parts,t));else{let o=t[r.name];n+=S(o)?o:r.fallback}return n.includes("  ")?n.replace(/ {2,}/g," "):n}function ee(e){if(e.length===0)return["your cart"];let t=[e.join(", ")];for(let n=e.length-1;n>=1;n--)t.push(`${e.slice(0,n).join(", ")} +${e.length-n} more`);let s=e[0];return s.length>24&&t.push(`${s.slice(0,23)}\u2026${e.length>1?` +${e.length-1} more`:""}`),t.push(e.length===1?"your item":`your ${e.length} items`),t}function te(e){let t=e.replace(/[ \t]+/g," ").replace(/ +([,.:;!?)])/g,"$1").replace(/([,:;])(?=[,.:;!?])/g,"").replace(/\.{2,}/g,s=>s.length===3?s:".").replace(/\( *\)/g,"").trim().replace(/^[,.:;!?]+\s*/,"").replace(/[ ,:;]+$/,"");return/^\p{Ll}/u.test(t)&&(t=t[0]?.toUpperCase()+t.slice(1)),t.replace(/ {2,}/g," ")}function V(e,t,s,n){let r=Number.POSITIVE_INFINITY,o=Object.assign({},t);for(let a of ee(s)){o.items=a;let i=te(O(e,o)),u=P(i);if(u.segments<=n)return v({body:i,encoding:u.encoding,segments:u.segments});r=Math.min(r,u.segments)}return R({reason:`needs ${r} segments, more than the budget of ${n}`,segments:r})}var ne=/^\+[1-9]\d{6,14}$/,G=/^([01]\d|2[0-3]):[0-5]\d$/;function l(e){return typeof e=="string"&&e.trim()!==""?e.trim():void 0}function U(e,t){if(t==="whatsapp"){if(e.whatsappFrom)return{From:`whatsapp:${e.whatsappFrom}`};if(e.messagingServiceSid)return{MessagingServiceSid:e.messagingServiceSid};throw new Error("no WhatsApp sender: set SETTINGS.whatsappFrom or SETTINGS.messagingServiceSid")}if(e.messagingServiceSid)return{MessagingServiceSid:e.messagingServiceSid};if(e.from)return{From:e.from};throw new Error("no SMS sender: set SETTINGS.from or SETTINGS.messagingServiceSid")}function F(e,t){if(!e.statusCallback||!t)return{};let[s,n=""]=e.statusCallback.split("#",2),r=s.includes("?")?"&":"?";return{StatusCallback:`${s}${r}key=${encodeURIComponent(t)}${n?`#${n}`:""}`}}function re(e){let t=l(e.body);if(t)return t;let s=l(e.template);if(!s)throw new Error(`${c} for SMS needs properties.body or properties.template`);let n=e.values??{},r=Array.isArray(e.items)?e.items.filter(i=>typeof i=="string"):[],o=typeof e.max_segments=="number"?e.max_segments:2,a=V(s,n,r,o);if(!a.success)throw new Error(`${c}: the SMS ${a.error.reason}`);return a.data.body}function j(e,t,s){let n=e.properties??{},r=n.channel;if(r!=="sms"&&r!=="whatsapp")throw new Error(`${c}: properties.channel must be "sms" or "whatsapp", got ${JSON.stringify(r)}`);let o=l(n.to);if(!o||!ne.test(o))throw new Error(`${c}: properties.to must be an E.164 number like +14155550100, got ${JSON.stringify(n.to)}`);let a=n.consent??{};if(a[r]!=="granted")return{send:!1,reason:`no ${r} consent (${String(a[r]??"unknown")})`};let i=t.quietHours[r];if(i){if(!G.test(i.start)||!G.test(i.end))throw new Error(`SETTINGS.quietHours.${r} must be { start: "HH:MM", end: "HH:MM" }`);let H=e.context??{},y=C(l(n.timezone),l(H.timezone),t.storeTimezone);if(!_(s,{start:i.start,end:i.end,policy:"hold"},y))return{send:!1,reason:`quiet hours in ${y} (${r} sends ${i.start}\u2013${i.end})`}}let u=l(n.key);if(r==="sms")return{send:!0,form:Object.assign({To:o,Body:re(n)},U(t,"sms"),F(t,u))};let T=l(n.content_sid);if(!T)throw new Error(`${c} for WhatsApp needs properties.content_sid (an approved template HX\u2026)`);let L=n.content_variables??{};return{send:!0,form:Object.assign({To:`whatsapp:${o}`,ContentSid:T,ContentVariables:JSON.stringify(L)},U(t,"whatsapp"),F(t,u))}}function _e(e){if(e.type!=="track"||e.event!==c)return null;let t=j(e,SETTINGS,Date.now());return t.send?t.form:(log(`dropped ${h(e)}: ${t.reason}`),null)}
export function transformEvent(event, metadata) {
  return _e(event, metadata);
}
