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

function S(e){if(e===null||typeof e!="object"||Array.isArray(e))return"the event";let t=e,s=typeof t.event=="string"?` "${t.event}"`:"",n=typeof t.type=="string"?t.type:"message",r=typeof t.messageId=="string"?` (messageId ${t.messageId})`:"";return`${n}${s}${r}`}var c="Cart Recovery Message Due";var O={},m={};function y(e,t){try{let n=(O[e]||=new Intl.DateTimeFormat("en-US",{timeZone:e,timeZoneName:"longOffset"}).format)(t).split("GMT")[1];return n in m?m[n]:T(n,n.split(":"))}catch{if(e in m)return m[e];let s=e?.match(G);return s?T(e,s.slice(1)):NaN}}var G=/([+-]\d\d):?(\d\d)?/;function T(e,t){let s=+(t[0]||0),n=+(t[1]||0),r=+(t[2]||0)/60;return m[e]=s*60+n>0?s*60+n+r:s*60-n-r}var g=new Map;function h(e){let t=g.get(e);if(t===void 0){try{new Intl.DateTimeFormat("en-US",{timeZone:e}),t=!0}catch{t=!1}g.size>1e3&&g.clear(),g.set(e,t)}return t}function M(...e){for(let t of e)if(t&&h(t))return t;return"UTC"}var b=15*6e4,p=new Map,w=0;function F(e,t){if(t==="UTC")return 0;let s=p.get(t);s||(s=new Map,p.set(t,s));let n=Math.floor(e/b),r=s.get(n);return r===void 0&&(r=y(t,new Date(n*b))*6e4,++w>5e5&&(p.clear(),w=0),s.set(n,r)),r}function k(e,t){let s=((e+F(e,t))%864e5+864e5)%864e5;return Math.floor(s/6e4)}function E(e){return(e.charCodeAt(0)-48)*600+(e.charCodeAt(1)-48)*60+(e.charCodeAt(3)-48)*10+(e.charCodeAt(4)-48)}function x(e,t,s){let n=E(t.start),r=E(t.end);if(n===r)return!0;let o=k(e,s);return n<r?o>=n&&o<r:o>=n||o<r}var U=`@\xA3$\xA5\xE8\xE9\xF9\xEC\xF2\xC7
\xD8\xF8\r\xC5\xE5\u0394_\u03A6\u0393\u039B\u03A9\u03A0\u03A8\u03A3\u0398\u039E\xC6\xE6\xDF\xC9 !"#\xA4%&'()*+,-./0123456789:;<=>?\xA1ABCDEFGHIJKLMNOPQRSTUVWXYZ\xC4\xD6\xD1\xDC\xA7\xBFabcdefghijklmnopqrstuvwxyz\xE4\xF6\xF1\xFC\xE0`,V="^{}\\[~]|\u20AC\f",P=new Set(U),j=new Set(V);function I(e){let t=0,s=!0;for(let r of e)if(P.has(r))t+=1;else if(j.has(r))t+=2;else{s=!1;break}if(s)return{encoding:"GSM-7",units:t,segments:t<=160?1:Math.ceil(t/153)};let n=e.length;return{encoding:"UCS-2",units:n,segments:n<=70?1:Math.ceil(n/67)}}var L=/\{\{\s*([A-Za-z]+)\s*(?:\|([^}]*))?\}\}/g,H=/\{\{#([A-Za-z]+)\}\}([\s\S]*?)\{\{\/\1\}\}/g;function C(e,t){return e.replace(H,(s,n,r)=>{let o=t[n];return o!==void 0&&o!==""?r:""}).replace(L,(s,n,r)=>{let o=t[n];return o!==void 0&&o!==""?o:r??""}).replace(/ {2,}/g," ")}function W(e){if(e.length===0)return["your cart"];let t=[e.join(", ")];for(let n=e.length-1;n>=1;n--)t.push(`${e.slice(0,n).join(", ")} +${e.length-n} more`);let s=e[0];return s.length>24&&t.push(`${s.slice(0,23)}\u2026${e.length>1?` +${e.length-1} more`:""}`),t.push(e.length===1?"your item":`your ${e.length} items`),t}function A(e,t,s,n){let r=Number.POSITIVE_INFINITY,o=Object.assign({},t);for(let a of W(s)){o.items=a;let i=C(e,o).trim(),u=I(i);if(u.segments<=n)return{ok:!0,body:i,encoding:u.encoding,segments:u.segments};r=Math.min(r,u.segments)}return{ok:!1,reason:`needs ${r} segments, more than the budget of ${n}`,segments:r}}var z=/^\+[1-9]\d{6,14}$/,$=/^([01]\d|2[0-3]):[0-5]\d$/;function l(e){return typeof e=="string"&&e.trim()!==""?e.trim():void 0}function _(e,t){if(t==="whatsapp"){if(e.whatsappFrom)return{From:`whatsapp:${e.whatsappFrom}`};if(e.messagingServiceSid)return{MessagingServiceSid:e.messagingServiceSid};throw new Error("no WhatsApp sender: set SETTINGS.whatsappFrom or SETTINGS.messagingServiceSid")}if(e.messagingServiceSid)return{MessagingServiceSid:e.messagingServiceSid};if(e.from)return{From:e.from};throw new Error("no SMS sender: set SETTINGS.from or SETTINGS.messagingServiceSid")}function R(e,t){if(!e.statusCallback||!t)return{};let[s,n=""]=e.statusCallback.split("#",2),r=s.includes("?")?"&":"?";return{StatusCallback:`${s}${r}key=${encodeURIComponent(t)}${n?`#${n}`:""}`}}function B(e){let t=l(e.body);if(t)return t;let s=l(e.template);if(!s)throw new Error(`${c} for SMS needs properties.body or properties.template`);let n=e.values??{},r=Array.isArray(e.items)?e.items.filter(i=>typeof i=="string"):[],o=typeof e.max_segments=="number"?e.max_segments:2,a=A(s,n,r,o);if(!a.ok)throw new Error(`${c}: the SMS ${a.reason}`);return a.body}function v(e,t,s){let n=e.properties??{},r=n.channel;if(r!=="sms"&&r!=="whatsapp")throw new Error(`${c}: properties.channel must be "sms" or "whatsapp", got ${JSON.stringify(r)}`);let o=l(n.to);if(!o||!z.test(o))throw new Error(`${c}: properties.to must be an E.164 number like +14155550100, got ${JSON.stringify(n.to)}`);let a=n.consent??{};if(a[r]!=="granted")return{send:!1,reason:`no ${r} consent (${String(a[r]??"unknown")})`};let i=t.quietHours[r];if(i){if(!$.test(i.start)||!$.test(i.end))throw new Error(`SETTINGS.quietHours.${r} must be { start: "HH:MM", end: "HH:MM" }`);let N=e.context??{},f=M(l(n.timezone),l(N.timezone),t.storeTimezone);if(!x(s,{start:i.start,end:i.end,policy:"hold"},f))return{send:!1,reason:`quiet hours in ${f} (${r} sends ${i.start}\u2013${i.end})`}}let u=l(n.key);if(r==="sms")return{send:!0,form:Object.assign({To:o,Body:B(n)},_(t,"sms"),R(t,u))};let d=l(n.content_sid);if(!d)throw new Error(`${c} for WhatsApp needs properties.content_sid (an approved template HX\u2026)`);let D=n.content_variables??{};return{send:!0,form:Object.assign({To:`whatsapp:${o}`,ContentSid:d,ContentVariables:JSON.stringify(D)},_(t,"whatsapp"),R(t,u))}}function Te(e){if(e.type!=="track"||e.event!==c)return null;let t=v(e,SETTINGS,Date.now());return t.send?t.form:(log(`dropped ${S(e)}: ${t.reason}`),null)}
export function transformEvent(event, metadata) {
  return Te(event, metadata);
}
