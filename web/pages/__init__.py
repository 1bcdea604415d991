"""One module per dashboard page (or pair of pages): each gives `routes(dashboard)`, an APIRouter."""
