"""Drafts may wait for their price and ZIP: the sell flow saves a draft at its first step (the truck) and asks
for the price and the place at the fourth; listing_publish (services.publish_problems) requires both."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0004_search_indexes")]

    operations = [
        migrations.AlterField(
            model_name="listing",
            name="price",
            field=models.PositiveIntegerField(
                blank=True,
                db_index=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(500000),
                ],
                verbose_name="price (US$)",
            ),
        ),
        migrations.AlterField(
            model_name="listing",
            name="zip_code",
            field=models.CharField(blank=True, max_length=5, verbose_name="ZIP code"),
        ),
    ]
