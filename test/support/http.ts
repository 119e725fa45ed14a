/** Raw HTTP requests for tests: what `fetch` cannot send. */

import { request } from "node:http";

/** The status of a GET of `url` sent with another `Host` header (as a DNS-rebinding page's would be). */
export function statusWithHost(url: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) =>
    request(url, { headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    })
      .on("error", reject)
      .end(),
  );
}
