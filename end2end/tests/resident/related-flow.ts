// Related appeals (issue 13), the resident's side, shared by the JS-on and JS-off specs: a second
// resident reporting the same kind of problem in the same place is offered the first one's open
// appeal on the check page (public details only), joins it, gets a receipt of their own, and
// their track page says it follows the other appeal.
import { expect, type Browser } from '@playwright/test';
import { DESCRIPTION, submit, submitButton, trackByForm, wizardToCheck } from './helpers';

export async function joinAnOpenAppeal(browser: Browser, hydrated: boolean): Promise<void> {
  // The first resident: sanitation in community HD0101, chosen from the cascade.
  const first = await browser.newContext();
  const a = await first.newPage();
  await wizardToCheck(a, { hydrated });
  const main = await submit(a);
  await first.close();

  // The second resident, in another browser, on the same matter.
  const second = await browser.newContext();
  const page = await second.newPage();
  await wizardToCheck(page, { hydrated });
  const offer = page.locator('section.related');
  await expect(offer.locator('h2')).toHaveText('附近已有人反映过同类问题');
  // "Send mine on its own" is chosen until the resident picks another: one tap submits as before.
  await expect(page.locator('input#join-none')).toBeChecked();
  const stored = main.ticket.replaceAll('-', '');
  const choice = offer.locator(`input[name=join][value="${stored}"]`);
  await expect(choice).toHaveCount(1);
  const label = offer.locator(`label[for="${await choice.getAttribute('id')}"]`);
  await expect(label).toContainText('是同一件事，加入（附议）');
  await expect(label).toContainText('环境卫生');
  await expect(label).toContainText('和平社区');
  await expect(label).toContainText('待签收');
  // Nothing private of the other resident: not their description.
  await expect(offer).not.toContainText(DESCRIPTION.slice(0, 10));
  // The ticket travels as the radio's value only; it is not printed.
  await expect(offer).not.toContainText(main.ticket);

  await choice.check();
  await expect(submitButton(page)).toBeVisible();
  const mine = await submit(page);
  expect(mine.ticket).not.toBe(main.ticket);

  await trackByForm(page, mine.ticket, mine.key);
  await expect(page.locator('main h1')).toHaveText(`查进度 ${mine.ticket}`);
  await expect(page.locator('ol.timeline > li[data-kind=joined]')).toHaveText(
    /您选择加入同一事项的诉求，您的描述作为补充信息/,
  );
  const followed = page.locator('section#followed');
  await expect(followed.locator('h2')).toHaveText('您的诉求已与同一事项的诉求合并办理');
  // A joiner is told that the answers to the first resident are theirs alone.
  await expect(followed.locator('p.hint')).toHaveText(/答复是写给首位反映人的，这里不显示内容/);
  await expect(followed.locator('#followed-status')).toHaveText('待签收');
  // The other appeal's events, as its own resident sees them (routed to the community).
  await expect(followed.locator('ol.timeline > li[data-kind=routed]')).toHaveCount(1);
  await second.close();
}
