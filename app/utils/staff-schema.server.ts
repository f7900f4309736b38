import { z } from 'zod'
import { STAFF_ROLES } from '#app/models/user.server'
import { emailField, requiredText } from './validation.server'

/** The organiser's new-account form. */
export const CreateStaffSchema = z.object({
  name: requiredText(200),
  email: emailField,
  role: z.enum(STAFF_ROLES, { error: (issue) => (issue.input ? 'form.invalidChoice' : 'form.required') }),
})

/** The per-account "new set-password link" button. */
export const NewPasswordLinkSchema = z.object({ userId: z.string().trim().min(1).max(100) })
