/** The admin token, kept in sessionStorage and sent as a bearer token with mutations. */
import { useState } from 'preact/hooks';
import { getToken, setToken } from './api.js';

export function TokenField(props: { onChange(): void; needed: boolean }) {
  const [value, setValue] = useState(getToken);
  const [saved, setSaved] = useState(getToken() !== '');
  const save = (e: Event): void => {
    e.preventDefault();
    setToken(value.trim());
    setSaved(value.trim() !== '');
    props.onChange();
  };
  const clear = (): void => {
    setValue('');
    setToken('');
    setSaved(false);
    props.onChange();
  };
  return (
    <form class="token" onSubmit={save}>
      <label for="token-input">Admin token</label>
      <input
        id="token-input"
        type="password"
        autocomplete="off"
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
        placeholder={props.needed ? 'required to read' : 'needed for actions'}
      />
      <button type="submit">Use token</button>
      {saved && (
        <button type="button" onClick={clear}>
          Forget
        </button>
      )}
      <span class="token-state" data-testid="token-state">
        {saved ? '● token set (this tab only)' : '○ no token'}
      </span>
    </form>
  );
}
