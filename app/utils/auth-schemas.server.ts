import { z } from 'zod'
import { message } from './validation.server'

export const LoginSchema = z.object({
  email: z.string({ message: 'form.required' }).trim().min(1, 'form.required').max(254, message('form.tooLong', { max: 254 })),
  password: z.string({ message: 'form.required' }).min(1, 'form.required').max(1000, message('form.tooLong', { max: 1000 })),
  redirectTo: z.string().optional(),
})

export const SetPasswordSchema = z
  .object({
    password: z
      .string({ message: 'form.required' })
      .min(10, message('form.tooShort', { min: 10 }))
      .max(1000, message('form.tooLong', { max: 1000 })),
    confirm: z.string({ message: 'form.required' }),
  })
  .refine((value) => value.password === value.confirm, { path: ['confirm'], message: 'setPassword.mismatch' })
