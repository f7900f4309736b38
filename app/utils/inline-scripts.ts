// The few bytes of plain script a resident page may carry, inline (no file to fetch on a weak
// signal). The Content-Security-Policy allows each by its hash (scripts/server.ts), so a page
// kept in a shared cache needs no per-response nonce.

/**
 * The registration form's province → regency picker: with JavaScript, choosing a province fetches
 * its regencies (/regions/<code>, kept a day) instead of sending the whole form back; the
 * "show regencies" button, the way without JavaScript, is then hidden. Should the fetch fail,
 * the button comes back.
 */
export const REGENCY_PICKER_SCRIPT =
  "(function(){var p=document.querySelector('[data-regencies-of]');if(!p||!window.fetch)return;" +
  "var f=p.form,r=f.elements.namedItem(p.getAttribute('data-regencies-of')),b=f.querySelector('[data-show-regencies]');" +
  'if(b)b.hidden=true;' +
  "p.addEventListener('change',function(){r.disabled=true;fetch('/regions/'+p.value).then(function(x){if(!x.ok)throw x;return x.json()})" +
  '.then(function(l){while(r.options.length>1)r.remove(1);l.forEach(function(c){r.add(new Option(c[1],c[0]))});r.disabled=false})' +
  '.catch(function(){r.disabled=false;if(b)b.hidden=false})})})()'

export const INLINE_SCRIPTS = [REGENCY_PICKER_SCRIPT]
