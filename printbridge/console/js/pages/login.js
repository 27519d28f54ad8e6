import { logIn, request } from "../api.js";
import { go, signedInAs } from "../app.js";
import { field, form, h, show } from "../ui.js";

export function loginPage() {
  show(
    "Log in",
    h("p", {}, "Producer staff and customer users log in with their e-mail address and password."),
    form(
      "Log in",
      [
        field("E-mail address", "email", { type: "email", required: true, autocomplete: "username" }),
        field("Password", "password", { type: "password", required: true, autocomplete: "current-password" }),
      ],
      async ({ email, password }) => {
        await logIn(email, password);
        await signedInAs();
        go("/");
      },
    ),
    h("p", {}, h("a", { href: "#/password-reset" }, "Forgot your password?")),
  );
}

export function passwordResetPage() {
  const sent = h("div", { role: "status" });
  show(
    "Forgot your password?",
    h("p", {}, "We e-mail a link to set a new password to the address you log in with."),
    sent,
    form(
      "Send the link",
      [field("E-mail address", "email", { type: "email", required: true, autocomplete: "username" })],
      async ({ email }) => {
        await request("POST", "/v1/auth/password-reset", { body: { email }, signedOut: true });
        sent.replaceChildren(
          h("p", { class: "notice" }, `If ${email} can log in here, a link is on its way to it.`),
        );
      },
    ),
    h("p", {}, h("a", { href: "#/login" }, "Back to log in")),
  );
}
