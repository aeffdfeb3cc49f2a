export type ThemePreference = 'light' | 'dark' | 'system';
export const THEME_KEY = 'atrium-theme';

/**
 * Runs in <head> before the first paint: resolves the stored preference (or the system's) to
 * data-theme="light|dark" on <html>, and follows system changes while the preference is "system".
 */
export const themeScript = `(function(){try{var k=${JSON.stringify(THEME_KEY)},d=document.documentElement,m=window.matchMedia('(prefers-color-scheme: dark)');var a=function(){var p=null;try{p=localStorage.getItem(k)}catch(e){}d.setAttribute('data-theme',p==='light'||p==='dark'?p:(m.matches?'dark':'light'))};a();m.addEventListener('change',a);window.addEventListener('storage',function(e){if(e.key===k)a()})}catch(e){}})();`;

export function readThemePreference(): ThemePreference {
  try {
    const p = localStorage.getItem(THEME_KEY);
    return p === 'light' || p === 'dark' ? p : 'system';
  } catch {
    return 'system';
  }
}

export function applyThemePreference(pref: ThemePreference) {
  try {
    if (pref === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, pref);
  } catch {
    // storage unavailable: still apply for this page
  }
  const dark = pref === 'dark' || (pref === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.setAttribute('data-theme', dark ? 'dark' : 'light');
}
