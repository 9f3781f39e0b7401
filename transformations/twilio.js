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

function h(e){if(e===null||typeof e!="object"||Array.isArray(e))return"the event";let t=e,s=typeof t.event=="string"?` "${t.event}"`:"",n=typeof t.type=="string"?t.type:"message",r=typeof t.messageId=="string"?` (messageId ${t.messageId})`:"";return`${n}${s}${r}`}var c="Cart Recovery Message Due";function b(e){typeof log=="function"&&log(e)}var B={},m={};function M(e,t){try{let n=(B[e]||=new Intl.DateTimeFormat("en-US",{timeZone:e,timeZoneName:"longOffset"}).format)(t).split("GMT")[1];return n in m?m[n]:w(n,n.split(":"))}catch{if(e in m)return m[e];let s=e?.match(z);return s?w(e,s.slice(1)):NaN}}var z=/([+-]\d\d):?(\d\d)?/;function w(e,t){let s=+(t[0]||0),n=+(t[1]||0),r=+(t[2]||0)/60;return m[e]=s*60+n>0?s*60+n+r:s*60-n-r}var f=new Map,x="",E=!1;function k(e){if(e===x)return E;let t=f.get(e);if(t===void 0){try{new Intl.DateTimeFormat("en-US",{timeZone:e}),t=!0}catch{t=!1}f.size>1e3&&f.clear(),f.set(e,t)}return x=e,E=t,t}function $(...e){for(let t of e)if(t&&k(t))return t;return"UTC"}var I=15*6e4,d=new Map,C=0;function J(e,t){if(t==="UTC")return 0;let s=d.get(t);s||(s=new Map,d.set(t,s));let n=Math.floor(e/I),r=s.get(n);return r===void 0&&(r=M(t,new Date(n*I))*6e4,++C>5e5&&(d.clear(),C=0),s.set(n,r)),r}function A(e,t){let s=((e+J(e,t))%864e5+864e5)%864e5;return Math.floor(s/6e4)}function _(e){return(e.charCodeAt(0)-48)*600+(e.charCodeAt(1)-48)*60+(e.charCodeAt(3)-48)*10+(e.charCodeAt(4)-48)}function v(e,t,s){let n=_(t.start),r=_(t.end);if(n===r)return!0;let o=A(e,s);return n<r?o>=n&&o<r:o>=n||o<r}function R(e){return{success:!0,data:e}}function P(e){return{success:!1,error:e}}var q=`@£$¥èéùìòÇ
Øø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà`,Q="^{}\\[~]|€\f",X=new Set(q),Y=new Set(Q);function D(e){let t=0,s=!0;for(let r of e)if(X.has(r))t+=1;else if(Y.has(r))t+=2;else{s=!1;break}if(s)return{encoding:"GSM-7",units:t,segments:t<=160?1:Math.ceil(t/153)};let n=e.length;return{encoding:"UCS-2",units:n,segments:n<=70?1:Math.ceil(n/67)}}var N=/\{\{\s*([A-Za-z]+)\s*(?:\|([^}]*))?\}\}/g,O=/\{\{#([A-Za-z]+)\}\}([\s\S]*?)\{\{\/\1\}\}/g;function Z(e,t){return e.replace(O,(s,n,r)=>{let o=t[n];return o!==void 0&&o!==""?r:""}).replace(N,(s,n,r)=>{let o=t[n];return o!==void 0&&o!==""?o:r??""}).replace(/ {2,}/g," ")}function g(e){let t=[],s=0;for(let n of e.matchAll(N)){let r=n.index;r>s&&t.push(e.slice(s,r)),t.push({name:n[1],fallback:n[2]??""}),s=r+n[0].length}s<e.length&&t.push(e.slice(s));for(let n of t)if(typeof n=="string"&&/\{\{|\}\}/.test(n))return null;return t}function K(e){let t=[],s=0;for(let r of e.matchAll(O)){let o=r.index,a=g(e.slice(s,o)),i=g(r[2]);if(!a||!i)return null;t.push(...a,{section:r[1],parts:i}),s=o+r[0].length}let n=g(e.slice(s));return n?(t.push(...n),t):null}function S(e){return e!==void 0&&e!==""}function ee(e,t){let s="";for(let n of e)if(typeof n=="string")s+=n;else{let r=t[n.name];s+=S(r)?r:n.fallback}return s}var p=new Map;function V(e,t){let s=p.get(e);if(s===void 0&&(s=K(e),p.size>=1e3&&p.clear(),p.set(e,s)),s===null)return Z(e,t);let n="";for(let r of s)if(typeof r=="string")n+=r;else if("section"in r)S(t[r.section])&&(n+=ee(r.parts,t));else{let o=t[r.name];n+=S(o)?o:r.fallback}return n.includes("  ")?n.replace(/ {2,}/g," "):n}function te(e){if(e.length===0)return["your cart"];let t=[e.join(", ")];for(let n=e.length-1;n>=1;n--)t.push(`${e.slice(0,n).join(", ")} +${e.length-n} more`);let s=e[0];return s.length>24&&t.push(`${s.slice(0,23)}…${e.length>1?` +${e.length-1} more`:""}`),t.push(e.length===1?"your item":`your ${e.length} items`),t}function G(e,t,s,n){let r=Number.POSITIVE_INFINITY,o=Object.assign({},t);for(let a of te(s)){o.items=a;let i=V(e,o).trim(),u=D(i);if(u.segments<=n)return R({body:i,encoding:u.encoding,segments:u.segments});r=Math.min(r,u.segments)}return P({reason:`needs ${r} segments, more than the budget of ${n}`,segments:r})}var ne=/^\+[1-9]\d{6,14}$/,F=/^([01]\d|2[0-3]):[0-5]\d$/;function l(e){return typeof e=="string"&&e.trim()!==""?e.trim():void 0}function U(e,t){if(t==="whatsapp"){if(e.whatsappFrom)return{From:`whatsapp:${e.whatsappFrom}`};if(e.messagingServiceSid)return{MessagingServiceSid:e.messagingServiceSid};throw new Error("no WhatsApp sender: set SETTINGS.whatsappFrom or SETTINGS.messagingServiceSid")}if(e.messagingServiceSid)return{MessagingServiceSid:e.messagingServiceSid};if(e.from)return{From:e.from};throw new Error("no SMS sender: set SETTINGS.from or SETTINGS.messagingServiceSid")}function j(e,t){if(!e.statusCallback||!t)return{};let[s,n=""]=e.statusCallback.split("#",2),r=s.includes("?")?"&":"?";return{StatusCallback:`${s}${r}key=${encodeURIComponent(t)}${n?`#${n}`:""}`}}function re(e){let t=l(e.body);if(t)return t;let s=l(e.template);if(!s)throw new Error(`${c} for SMS needs properties.body or properties.template`);let n=e.values??{},r=Array.isArray(e.items)?e.items.filter(i=>typeof i=="string"):[],o=typeof e.max_segments=="number"?e.max_segments:2,a=G(s,n,r,o);if(!a.success)throw new Error(`${c}: the SMS ${a.error.reason}`);return a.data.body}function L(e,t,s){let n=e.properties??{},r=n.channel;if(r!=="sms"&&r!=="whatsapp")throw new Error(`${c}: properties.channel must be "sms" or "whatsapp", got ${JSON.stringify(r)}`);let o=l(n.to);if(!o||!ne.test(o))throw new Error(`${c}: properties.to must be an E.164 number like +14155550100, got ${JSON.stringify(n.to)}`);let a=n.consent??{};if(a[r]!=="granted")return{send:!1,reason:`no ${r} consent (${String(a[r]??"unknown")})`};let i=t.quietHours[r];if(i){if(!F.test(i.start)||!F.test(i.end))throw new Error(`SETTINGS.quietHours.${r} must be { start: "HH:MM", end: "HH:MM" }`);let W=e.context??{},y=$(l(n.timezone),l(W.timezone),t.storeTimezone);if(!v(s,{start:i.start,end:i.end,policy:"hold"},y))return{send:!1,reason:`quiet hours in ${y} (${r} sends ${i.start}–${i.end})`}}let u=l(n.key);if(r==="sms")return{send:!0,form:Object.assign({To:o,Body:re(n)},U(t,"sms"),j(t,u))};let T=l(n.content_sid);if(!T)throw new Error(`${c} for WhatsApp needs properties.content_sid (an approved template HX…)`);let H=n.content_variables??{};return{send:!0,form:Object.assign({To:`whatsapp:${o}`,ContentSid:T,ContentVariables:JSON.stringify(H)},U(t,"whatsapp"),j(t,u))}}function Re(e){if(e.type!=="track"||e.event!==c)return null;let t=L(e,SETTINGS,Date.now());return t.send?t.form:(b(`dropped ${h(e)}: ${t.reason}`),null)}
export function transformEvent(event, metadata) {
  return Re(event, metadata);
}
