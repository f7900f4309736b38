import { createContext, useContext } from 'react'

// The Content-Security-Policy nonce of the response being rendered, for Remix's inline scripts.
// On the client it is empty: the scripts have already run, and browsers hide the attribute.
const NonceContext = createContext<string>('')

export const NonceProvider = NonceContext.Provider

export function useNonce(): string {
  return useContext(NonceContext)
}
