// Learning tests (issue 15): the question bank, versions, the tests' windows, attempts and scores.
import { finishedTest, webinarTests } from '#app/models/learning-test.server'
import { getDb } from '#app/utils/db.server'
import { publishedWebinar, register } from '#tests/setup/factories'

const db = getDb()

describe('a webinar without tests', () => {
  it('has both tests off, and nobody finished one', async () => {
    const webinar = await publishedWebinar()
    const registrant = await register(webinar.id)
    expect(await webinarTests(db, webinar.id)).toMatchObject({ pre: false, post: false })
    expect(await finishedTest(db, registrant.id, 'pre')).toBe(false)
    expect(await finishedTest(db, registrant.id, 'post')).toBe(false)
  })
})
