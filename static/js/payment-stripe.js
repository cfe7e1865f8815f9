// Stripe Payment Element for the payment page (no inline scripts: CSP).
(function () {
  var form = document.getElementById("stripe-payment-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.getAttribute("data-publishable-key"));
  var elements = stripe.elements({ clientSecret: form.getAttribute("data-client-secret"), locale: document.documentElement.lang || "id" });
  elements.create("payment").mount("#payment-element");
  var button = document.getElementById("stripe-submit");
  var message = document.getElementById("stripe-message");
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    button.disabled = true;
    stripe.confirmPayment({ elements: elements, confirmParams: { return_url: form.getAttribute("data-return-url") } })
      .then(function (result) {
        if (result.error) { message.textContent = result.error.message; button.disabled = false; }
      });
  });
})();
