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

function w(e){if(e===null||typeof e!="object"||Array.isArray(e))return"the event";let t=e,r=typeof t.event=="string"?` "${t.event}"`:"",n=typeof t.type=="string"?t.type:"message",s=typeof t.messageId=="string"?` (messageId ${t.messageId})`:"";return`${n}${r}${s}`}var c="Cart Recovery Message Due";function x(e){typeof log=="function"&&log(e)}var H={},f={};function k(e,t){try{let n=(H[e]||=new Intl.DateTimeFormat("en-US",{timeZone:e,timeZoneName:"longOffset"}).format)(t).split("GMT")[1];return n in f?f[n]:M(n,n.split(":"))}catch{if(e in f)return f[e];let r=e?.match(W);return r?M(e,r.slice(1)):NaN}}var W=/([+-]\d\d):?(\d\d)?/;function M(e,t){let r=+(t[0]||0),n=+(t[1]||0),s=+(t[2]||0)/60;return f[e]=r*60+n>0?r*60+n+s:r*60-n-s}var g=new Map,E="",I=!1;function C(e){if(e===E)return I;let t=g.get(e);if(t===void 0){try{new Intl.DateTimeFormat("en-US",{timeZone:e}),t=!0}catch{t=!1}g.size>1e3&&g.clear(),g.set(e,t)}return E=e,I=t,t}function _(...e){for(let t of e)if(t&&C(t))return t;return"UTC"}var $=15*6e4,S=new Map,A=0;function B(e,t){if(t==="UTC")return 0;let r=S.get(t);r||(r=new Map,S.set(t,r));let n=Math.floor(e/$),s=r.get(n);return s===void 0&&(s=k(t,new Date(n*$))*6e4,++A>5e5&&(S.clear(),A=0),r.set(n,s)),s}function R(e,t){let r=((e+B(e,t))%864e5+864e5)%864e5;return Math.floor(r/6e4)}function v(e){return(e.charCodeAt(0)-48)*600+(e.charCodeAt(1)-48)*60+(e.charCodeAt(3)-48)*10+(e.charCodeAt(4)-48)}function F(e,t,r){let n=v(t.start),s=v(t.end);if(n===s)return!0;let o=R(e,r);return n<s?o>=n&&o<s:o>=n||o<s}function P(e){return{success:!0,data:e}}function V(e){return{success:!1,error:e}}var z=`@£$¥èéùìòÇ
Øø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà`,J="^{}\\[~]|€\f",q=new Set(z),Q=new Set(J);function D(e){let t=0,r=!0;for(let s of e)if(q.has(s))t+=1;else if(Q.has(s))t+=2;else{r=!1;break}if(r)return{encoding:"GSM-7",units:t,segments:t<=160?1:Math.ceil(t/153)};let n=e.length;return{encoding:"UCS-2",units:n,segments:n<=70?1:Math.ceil(n/67)}}var N=/\{\{\s*([A-Za-z]+)\s*(?:\|([^}]*))?\}\}/g,O=/\{\{([#^])([A-Za-z]+)\}\}([\s\S]*?)\{\{\/\2\}\}/g;function X(e,t){return e.replace(O,(r,n,s,o)=>{let a=t[s];return(a!==void 0&&a!=="")==(n==="#")?o:""}).replace(N,(r,n,s)=>{let o=t[n];return o!==void 0&&o!==""?o:s??""}).replace(/ {2,}/g," ")}function y(e){let t=[],r=0;for(let n of e.matchAll(N)){let s=n.index;s>r&&t.push(e.slice(r,s)),t.push({name:n[1],fallback:n[2]??""}),r=s+n[0].length}r<e.length&&t.push(e.slice(r));for(let n of t)if(typeof n=="string"&&/\{\{|\}\}/.test(n))return null;return t}function Y(e){let t=[],r=0;for(let s of e.matchAll(O)){let o=s.index,a=y(e.slice(r,o)),i=y(s[3]);if(!a||!i)return null;t.push(...a,{section:s[2],inverted:s[1]==="^",parts:i}),r=o+s[0].length}let n=y(e.slice(r));return n?(t.push(...n),t):null}function T(e){return e!==void 0&&e!==""}function Z(e,t){let r="";for(let n of e)if(typeof n=="string")r+=n;else{let s=t[n.name];r+=T(s)?s:n.fallback}return r}var d=new Map;function G(e,t){let r=d.get(e);if(r===void 0&&(r=Y(e),d.size>=1e3&&d.clear(),d.set(e,r)),r===null)return X(e,t);let n="";for(let s of r)if(typeof s=="string")n+=s;else if("section"in s)T(t[s.section])!==s.inverted&&(n+=Z(s.parts,t));else{let o=t[s.name];n+=T(o)?o:s.fallback}return n.includes("  ")?n.replace(/ {2,}/g," "):n}function K(e){if(e.length===0)return["your cart"];let t=[e.join(", ")];for(let n=e.length-1;n>=1;n--)t.push(`${e.slice(0,n).join(", ")} +${e.length-n} more`);let r=e[0];return r.length>24&&t.push(`${r.slice(0,23)}…${e.length>1?` +${e.length-1} more`:""}`),t.push(e.length===1?"your item":`your ${e.length} items`),t}function ee(e){let t=e.replace(/[ \t]+/g," ").replace(/ +([,.:;!?)])/g,"$1").replace(/([,:;])(?=[,.:;!?])/g,"").replace(/\.{2,}/g,r=>r.length===3?r:".").replace(/\( *\)/g,"").trim().replace(/^[,.:;!?]+\s*/,"").replace(/[ ,:;]+$/,"");return/^\p{Ll}/u.test(t)&&(t=t[0]?.toUpperCase()+t.slice(1)),t.replace(/ {2,}/g," ")}function U(e,t,r,n){let s=Number.POSITIVE_INFINITY,o=Object.assign({},t);for(let a of K(r)){o.items=a;let i=ee(G(e,o)),u=D(i);if(u.segments<=n)return P({body:i,encoding:u.encoding,segments:u.segments});s=Math.min(s,u.segments)}return V({reason:`needs ${s} segments, more than the budget of ${n}`,segments:s})}function te(e,t){let[r,n]=e.split("#",2),s=r.includes("?")?"&":"?";return`${r}${s}key=${encodeURIComponent(t)}${n?`#${n}`:""}`}function h(e,t){let r=e.channel==="sms"?{To:e.to,Body:e.body}:{To:`whatsapp:${e.to}`,ContentSid:e.contentSid,ContentVariables:JSON.stringify(e.contentVariables??{})};if(e.channel==="whatsapp"&&t.whatsappFrom)r.From=`whatsapp:${t.whatsappFrom}`;else if(t.messagingServiceSid)r.MessagingServiceSid=t.messagingServiceSid;else if(e.channel==="sms"&&t.from)r.From=t.from;else return{success:!1,error:{setting:e.channel==="sms"?"from":"whatsappFrom"}};return t.statusCallback&&e.key&&(r.StatusCallback=te(t.statusCallback,e.key)),{success:!0,data:r}}var ne=/^\+[1-9]\d{6,14}$/,j=/^([01]\d|2[0-3]):[0-5]\d$/;function l(e){return typeof e=="string"&&e.trim()!==""?e.trim():void 0}function re(e){let t=l(e.body);if(t)return t;let r=l(e.template);if(!r)throw new Error(`${c} for SMS needs properties.body or properties.template`);let n=e.values??{},s=Array.isArray(e.items)?e.items.filter(i=>typeof i=="string"):[],o=typeof e.max_segments=="number"?e.max_segments:2,a=U(r,n,s,o);if(!a.success)throw new Error(`${c}: the SMS ${a.error.reason}`);return a.data.body}function L(e,t,r){let n=e.properties??{},s=n.channel;if(s!=="sms"&&s!=="whatsapp")throw new Error(`${c}: properties.channel must be "sms" or "whatsapp", got ${JSON.stringify(s)}`);let o=l(n.to);if(!o||!ne.test(o))throw new Error(`${c}: properties.to must be an E.164 number like +14155550100, got ${JSON.stringify(n.to)}`);let a=n.consent??{};if(a[s]!=="granted")return{send:!1,reason:`no ${s} consent (${String(a[s]??"unknown")})`};let i=t.quietHours[s];if(i){if(!j.test(i.start)||!j.test(i.end))throw new Error(`SETTINGS.quietHours.${s} must be { start: "HH:MM", end: "HH:MM" }`);let m=e.context??{},b=_(l(n.timezone),l(m.timezone),t.storeTimezone);if(!F(r,{start:i.start,end:i.end,policy:"hold"},b))return{send:!1,reason:`quiet hours in ${b} (${s} sends ${i.start}–${i.end})`}}let u=l(n.key),p;if(s==="sms")p=h({channel:s,to:o,body:re(n),key:u},t);else{let m=l(n.content_sid);if(!m)throw new Error(`${c} for WhatsApp needs properties.content_sid (an approved template HX…)`);p=h({channel:s,to:o,contentSid:m,contentVariables:n.content_variables??{},key:u},t)}if(!p.success)throw new Error(s==="sms"?"no SMS sender: set SETTINGS.from or SETTINGS.messagingServiceSid":"no WhatsApp sender: set SETTINGS.whatsappFrom or SETTINGS.messagingServiceSid");return{send:!0,form:p.data}}function Pe(e){if(e.type!=="track"||e.event!==c)return null;let t=L(e,SETTINGS,Date.now());return t.send?t.form:(x(`dropped ${w(e)}: ${t.reason}`),null)}
export function transformEvent(event, metadata) {
  return Pe(event, metadata);
}
