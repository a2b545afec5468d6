import type { Routes } from '../http/server.js';
import type { ChatPlatform } from './platform.js';
import { type PlatformContext, platformTable } from './platform-table.js';

/**
 * The chat platforms the config enables (from the one platform table), with
 * the HTTP routes they serve. Each adapter is imported only when enabled: a
 * console-only bot never loads Bolt nor the Mattermost adapter.
 */
export async function buildPlatforms(ctx: PlatformContext): Promise<{ platforms: ChatPlatform[]; routes: Routes }> {
  const platforms: ChatPlatform[] = [];
  const routes: Routes = {};
  for (const entry of Object.values(platformTable)) {
    if (!entry.enabled(ctx.config)) continue;
    const platform = await entry.create(ctx);
    if (!platform) continue;
    platforms.push(platform);
    for (const [route, bind] of Object.entries(entry.routes(ctx.config))) routes[route] = bind(platform);
  }
  return { platforms, routes };
}
