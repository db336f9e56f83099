using System.Text.Json;
using UsagePortal.Domain;
using UsagePortal.Pricing;

namespace UsagePortal.Web.Api;

public static class PricePreviewEndpoints
{
    /// <summary>
    /// <c>POST /api/v1/price-preview</c>: the exact amount (unrounded) and per-range breakdown of one charge for a
    /// quantity, from the same engine that rates invoices.
    /// </summary>
    public static RouteGroupBuilder MapPricePreviewEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/price-preview", PreviewAsync)
            .WithName("PricePreview")
            .WithSummary("Price one charge for a quantity: the exact amount and the per-range breakdown.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return api;
    }

    private static async Task<IResult> PreviewAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (document, problem) = await ApiJson.ReadDocumentAsync(request, cancellationToken);
        if (document is null)
        {
            return problem!;
        }

        using (document)
        {
            var parsed = PricePreviewJson.Parse(document.RootElement);
            if (!parsed.IsValid)
            {
                return Invalid(parsed.Errors);
            }

            PricePreviewResult result;
            try
            {
                result = PricePreview.Calculate(parsed.Request!);
            }
            catch (OverflowException)
            {
                // Exact decimal arithmetic has a ceiling (about 7.9 × 10^28): past it the price cannot be computed, which
                // is a fact about this request, not a server failure.
                return Invalid([new ValidationError("units", "the amount for these units is too large to compute (it exceeds 79228162514264337593543950335); price fewer units or a smaller amount per unit.")]);
            }

            return result.IsValid
                ? Results.Text(PricePreviewJson.Serialize(result.Price!), "application/json")
                : Invalid(result.Errors);
        }
    }

    private static IResult Invalid(IReadOnlyList<ValidationError> errors) =>
        Problems.Validation("The price preview request is not valid.", errors.Select(e => new FieldError(e.Field, e.Reason)).ToList());
}
