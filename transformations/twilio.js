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

function w(e){if(e===null||typeof e!="object"||Array.isArray(e))return"the event";let t=e,s=typeof t.event=="string"?` "${t.event}"`:"",n=typeof t.type=="string"?t.type:"message",r=typeof t.messageId=="string"?` (messageId ${t.messageId})`:"";return`${n}${s}${r}`}var c="Cart Recovery Message Due";function M(e){typeof log=="function"&&log(e)}var H={},f={};function k(e,t){try{let n=(H[e]||=new Intl.DateTimeFormat("en-US",{timeZone:e,timeZoneName:"longOffset"}).format)(t).split("GMT")[1];return n in f?f[n]:x(n,n.split(":"))}catch{if(e in f)return f[e];let s=e?.match(W);return s?x(e,s.slice(1)):NaN}}var W=/([+-]\d\d):?(\d\d)?/;function x(e,t){let s=+(t[0]||0),n=+(t[1]||0),r=+(t[2]||0)/60;return f[e]=s*60+n>0?s*60+n+r:s*60-n-r}var d=new Map,E="",I=!1;function C(e){if(e===E)return I;let t=d.get(e);if(t===void 0){try{new Intl.DateTimeFormat("en-US",{timeZone:e}),t=!0}catch{t=!1}d.size>1e3&&d.clear(),d.set(e,t)}return E=e,I=t,t}function $(...e){for(let t of e)if(t&&C(t))return t;return"UTC"}var A=15*6e4,S=new Map,_=0;function B(e,t){if(t==="UTC")return 0;let s=S.get(t);s||(s=new Map,S.set(t,s));let n=Math.floor(e/A),r=s.get(n);return r===void 0&&(r=k(t,new Date(n*A))*6e4,++_>5e5&&(S.clear(),_=0),s.set(n,r)),r}function R(e,t){let s=((e+B(e,t))%864e5+864e5)%864e5;return Math.floor(s/6e4)}function v(e){return(e.charCodeAt(0)-48)*600+(e.charCodeAt(1)-48)*60+(e.charCodeAt(3)-48)*10+(e.charCodeAt(4)-48)}function F(e,t,s){let n=v(t.start),r=v(t.end);if(n===r)return!0;let o=R(e,s);return n<r?o>=n&&o<r:o>=n||o<r}function P(e){return{success:!0,data:e}}function D(e){return{success:!1,error:e}}var z=`@£$¥èéùìòÇ
Øø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà`,J="^{}\\[~]|€\f",q=new Set(z),Q=new Set(J);function V(e){let t=0,s=!0;for(let r of e)if(q.has(r))t+=1;else if(Q.has(r))t+=2;else{s=!1;break}if(s)return{encoding:"GSM-7",units:t,segments:t<=160?1:Math.ceil(t/153)};let n=e.length;return{encoding:"UCS-2",units:n,segments:n<=70?1:Math.ceil(n/67)}}var N=/\{\{\s*([A-Za-z]+)\s*(?:\|([^}]*))?\}\}/g,O=/\{\{#([A-Za-z]+)\}\}([\s\S]*?)\{\{\/\1\}\}/g;function X(e,t){return e.replace(O,(s,n,r)=>{let o=t[n];return o!==void 0&&o!==""?r:""}).replace(N,(s,n,r)=>{let o=t[n];return o!==void 0&&o!==""?o:r??""}).replace(/ {2,}/g," ")}function y(e){let t=[],s=0;for(let n of e.matchAll(N)){let r=n.index;r>s&&t.push(e.slice(s,r)),t.push({name:n[1],fallback:n[2]??""}),s=r+n[0].length}s<e.length&&t.push(e.slice(s));for(let n of t)if(typeof n=="string"&&/\{\{|\}\}/.test(n))return null;return t}function Y(e){let t=[],s=0;for(let r of e.matchAll(O)){let o=r.index,a=y(e.slice(s,o)),i=y(r[2]);if(!a||!i)return null;t.push(...a,{section:r[1],parts:i}),s=o+r[0].length}let n=y(e.slice(s));return n?(t.push(...n),t):null}function T(e){return e!==void 0&&e!==""}function Z(e,t){let s="";for(let n of e)if(typeof n=="string")s+=n;else{let r=t[n.name];s+=T(r)?r:n.fallback}return s}var g=new Map;function G(e,t){let s=g.get(e);if(s===void 0&&(s=Y(e),g.size>=1e3&&g.clear(),g.set(e,s)),s===null)return X(e,t);let n="";for(let r of s)if(typeof r=="string")n+=r;else if("section"in r)T(t[r.section])&&(n+=Z(r.parts,t));else{let o=t[r.name];n+=T(o)?o:r.fallback}return n.includes("  ")?n.replace(/ {2,}/g," "):n}function K(e){if(e.length===0)return["your cart"];let t=[e.join(", ")];for(let n=e.length-1;n>=1;n--)t.push(`${e.slice(0,n).join(", ")} +${e.length-n} more`);let s=e[0];return s.length>24&&t.push(`${s.slice(0,23)}…${e.length>1?` +${e.length-1} more`:""}`),t.push(e.length===1?"your item":`your ${e.length} items`),t}function U(e,t,s,n){let r=Number.POSITIVE_INFINITY,o=Object.assign({},t);for(let a of K(s)){o.items=a;let i=G(e,o).trim(),u=V(i);if(u.segments<=n)return P({body:i,encoding:u.encoding,segments:u.segments});r=Math.min(r,u.segments)}return D({reason:`needs ${r} segments, more than the budget of ${n}`,segments:r})}function ee(e,t){let[s,n]=e.split("#",2),r=s.includes("?")?"&":"?";return`${s}${r}key=${encodeURIComponent(t)}${n?`#${n}`:""}`}function h(e,t){let s=e.channel==="sms"?{To:e.to,Body:e.body}:{To:`whatsapp:${e.to}`,ContentSid:e.contentSid,ContentVariables:JSON.stringify(e.contentVariables??{})};if(e.channel==="whatsapp"&&t.whatsappFrom)s.From=`whatsapp:${t.whatsappFrom}`;else if(t.messagingServiceSid)s.MessagingServiceSid=t.messagingServiceSid;else if(e.channel==="sms"&&t.from)s.From=t.from;else return{success:!1,error:{setting:e.channel==="sms"?"from":"whatsappFrom"}};return t.statusCallback&&e.key&&(s.StatusCallback=ee(t.statusCallback,e.key)),{success:!0,data:s}}var te=/^\+[1-9]\d{6,14}$/,j=/^([01]\d|2[0-3]):[0-5]\d$/;function l(e){return typeof e=="string"&&e.trim()!==""?e.trim():void 0}function ne(e){let t=l(e.body);if(t)return t;let s=l(e.template);if(!s)throw new Error(`${c} for SMS needs properties.body or properties.template`);let n=e.values??{},r=Array.isArray(e.items)?e.items.filter(i=>typeof i=="string"):[],o=typeof e.max_segments=="number"?e.max_segments:2,a=U(s,n,r,o);if(!a.success)throw new Error(`${c}: the SMS ${a.error.reason}`);return a.data.body}function L(e,t,s){let n=e.properties??{},r=n.channel;if(r!=="sms"&&r!=="whatsapp")throw new Error(`${c}: properties.channel must be "sms" or "whatsapp", got ${JSON.stringify(r)}`);let o=l(n.to);if(!o||!te.test(o))throw new Error(`${c}: properties.to must be an E.164 number like +14155550100, got ${JSON.stringify(n.to)}`);let a=n.consent??{};if(a[r]!=="granted")return{send:!1,reason:`no ${r} consent (${String(a[r]??"unknown")})`};let i=t.quietHours[r];if(i){if(!j.test(i.start)||!j.test(i.end))throw new Error(`SETTINGS.quietHours.${r} must be { start: "HH:MM", end: "HH:MM" }`);let p=e.context??{},b=$(l(n.timezone),l(p.timezone),t.storeTimezone);if(!F(s,{start:i.start,end:i.end,policy:"hold"},b))return{send:!1,reason:`quiet hours in ${b} (${r} sends ${i.start}–${i.end})`}}let u=l(n.key),m;if(r==="sms")m=h({channel:r,to:o,body:ne(n),key:u},t);else{let p=l(n.content_sid);if(!p)throw new Error(`${c} for WhatsApp needs properties.content_sid (an approved template HX…)`);m=h({channel:r,to:o,contentSid:p,contentVariables:n.content_variables??{},key:u},t)}if(!m.success)throw new Error(r==="sms"?"no SMS sender: set SETTINGS.from or SETTINGS.messagingServiceSid":"no WhatsApp sender: set SETTINGS.whatsappFrom or SETTINGS.messagingServiceSid");return{send:!0,form:m.data}}function Fe(e){if(e.type!=="track"||e.event!==c)return null;let t=L(e,SETTINGS,Date.now());return t.send?t.form:(M(`dropped ${w(e)}: ${t.reason}`),null)}
export function transformEvent(event, metadata) {
  return Fe(event, metadata);
}
